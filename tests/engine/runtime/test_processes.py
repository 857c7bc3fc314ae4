"""Runs in worker processes (Engine(isolation="process")): real processes, real pipes, real signals."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.errors import StepError
from engine.io import read_text
from engine.model.workflow import Workflow
from engine.runtime import Engine, procworker, remote, wire
from engine.runtime import events as ev
from engine.runtime.history import History
from engine.runtime.priority import BACKGROUND_NICE, SUPPORTED

PRINT_PPID = '[python3, -c, "import os; print(os.getppid())"]'
PRINT_NICE = '[python3, -c, "import os; print(os.nice(0))"]'
# Jinja's sandbox caps range() at 100,000, so two nested ones keep a step busy for hours; nothing in it looks at
# the cancel flag, so only ending its process stops it.
# One filter call over 8 MB that takes ≈ 15 s and looks at no clock (nested loops now obey the cancel themselves).
ENDLESS = '{{ ("a " * 4000000) | urlize }}'


def flow(text: str, name: str = "flow.yaml") -> Workflow:
    wf, problems = read_text(text, name)
    assert wf is not None and not [p for p in problems if p.is_error], problems
    return wf


class Host:
    """A desktop host that records what runs asked of it, in the engine's process."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.clipboard = "from the app"

    def notify(self, title: str, message: str, level: str = "info") -> None:
        self.calls.append(("notify", title, message, level, os.getpid()))

    def clipboard_get(self) -> str:
        return self.clipboard

    def clipboard_set(self, text: str) -> None:
        self.clipboard = text

    def open(self, target: str) -> None:
        raise StepError(f"cannot open {target}: refused by the test host", kind="host")


@pytest.fixture
def host() -> Host:
    return Host()


@pytest.fixture
def engine(tmp_path: Path, host: Host) -> Iterator[Engine]:
    e = Engine(workers=2, isolation="process", host=host, history=History(tmp_path / "h.sqlite3"),
               state_dir=tmp_path / "state")  # fmt: skip
    yield e
    e.shutdown(grace=2)


def settle(engine: Engine) -> None:
    """Every event so far delivered and written to the history."""
    assert engine.bus.flush(5) and engine.history is not None
    engine.history.flush(5)


def running(handle: Any, timeout: float = 20.0) -> None:
    """Wait until ``handle``'s run is in a worker process, and a little more for its first step to begin."""
    deadline = time.monotonic() + timeout
    while not handle.started:
        assert time.monotonic() < deadline, "the run never got a worker process"
        time.sleep(0.02)
    time.sleep(0.3)


def events_of(engine: Engine) -> list[ev.Event]:
    seen: list[ev.Event] = []
    engine.subscribe(seen.append)
    return seen


def test_a_run_executes_in_a_worker_process_and_reports_everything(engine: Engine) -> None:
    seen = events_of(engine)
    wf = flow(f"""flowdeck: 1
name: where
outputs: {{greeting: "{{{{ steps.hello.message }}}}"}}
steps:
  hello: {{do: log, with: {{message: "hi {{{{ trigger.who }}}}"}}, next: ppid}}
  ppid: {{do: program.run, with: {{command: {PRINT_PPID}}}}}
""")
    result = engine.run(wf, trigger={"who": "you"})
    assert result.ok, result.error
    runner_pid = int(result.steps["ppid"]["stdout"])
    assert runner_pid != os.getpid() and runner_pid in engine.worker_pids()
    assert result.outputs == {"greeting": "hi you"}
    engine.bus.flush()
    kinds = [(e.kind, e.step) for e in seen if e.run_id == result.run_id]
    assert kinds == [
        (ev.RUN_STARTED, None),
        (ev.STEP_STARTED, "hello"),
        (ev.LOG, "hello"),
        (ev.STEP_FINISHED, "hello"),
        (ev.STEP_STARTED, "ppid"),
        (ev.STEP_FINISHED, "ppid"),
        (ev.RUN_FINISHED, None),
    ]
    settle(engine)
    record = engine.history.run(result.run_id)
    assert record is not None and record.status == "succeeded" and record.trigger == {"who": "you"}


def test_a_run_sees_the_engines_environment_and_folder_of_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    engine.run(flow("flowdeck: 1\nname: warm\nsteps:\n  a: {do: log, with: {message: ok}}\n"))  # processes exist
    monkeypatch.setenv("FLOWDECK_TEST_VALUE", "set later")
    monkeypatch.chdir(tmp_path)
    e = Engine(workers=1, isolation="process")
    try:
        wf = flow("""flowdeck: 1
name: env
steps:
  a: {do: set, with: {values: {v: "{{ env.FLOWDECK_TEST_VALUE }}"}}, next: pwd}
  pwd: {do: program.run, with: {command: [pwd]}}
""")
        result = e.run(wf)
    finally:
        e.shutdown(grace=1)
    assert result.ok, result.error
    assert result.steps["a"] == {"values": {"v": "set later"}}
    assert result.steps["pwd"]["stdout"].strip() == str(tmp_path)


def test_the_workflow_is_frozen_when_submitted(engine: Engine) -> None:
    wf = flow("flowdeck: 1\nname: frozen\nsteps:\n  a: {do: set, with: {values: {x: before}}}\n")
    handle = engine.submit(wf)
    wf.steps["a"].params["values"] = {"x": "after"}
    assert handle.wait(10).steps["a"]["values"] == {"x": "before"}


def test_state_is_kept_by_the_engine_and_shared_by_every_run(engine: Engine) -> None:
    wf = flow("flowdeck: 1\nname: counter\nsteps:\n  count: {do: state.increment, with: {key: n}}\n",
              "/tmp/counter.yaml")  # fmt: skip
    plan = engine.plan(wf)
    values = [engine.run(plan).steps["count"]["value"] for _ in range(3)]
    assert values == [1, 2, 3]
    assert engine.state_for(plan).get("n") == 3  # the store lives in the engine's process


def test_desktop_calls_reach_the_engines_host(engine: Engine, host: Host) -> None:
    wf = flow("""flowdeck: 1
name: desk
steps:
  tell: {do: notify, with: {title: Done, message: "all good", level: warning}, next: read}
  read: {do: clipboard.read, next: write}
  write: {do: clipboard.write, with: {text: "{{ steps.read.text }}!"}}
""")
    result = engine.run(wf)
    assert result.ok, result.error
    assert host.calls == [("notify", "Done", "all good", "warning", os.getpid())]
    assert result.steps["read"]["text"] == "from the app" and host.clipboard == "from the app!"


def test_a_host_refusal_fails_the_step_with_the_hosts_message(engine: Engine) -> None:
    wf = flow("flowdeck: 1\nname: opener\nsteps:\n  o: {do: open, with: {target: 'https://example.org/x'}}\n")
    result = engine.run(wf)
    assert result.status == "failed"
    message = "cannot open https://example.org/x: refused by the test host"
    assert result.error == {"message": message, "kind": "host", "step": "o"}


def test_secrets_are_read_by_the_engine_and_masked(engine: Engine) -> None:
    import keyring

    from engine.runtime.context import KEYRING_SERVICE

    keyring.set_password(KEYRING_SERVICE, "proc_token", "s3cr3t-value")  # the tests' keyring: this process only
    seen = events_of(engine)
    wf = flow("""flowdeck: 1
name: secretive
outputs: {echo: "{{ steps.use.values.token }}"}
steps:
  use: {do: set, with: {values: {token: "{{ secrets.proc_token }}"}}}
""")
    handle = engine.submit(wf)
    result = handle.wait(10)
    assert result.ok, result.error
    assert result.outputs == {"echo": "s3cr3t-value"}  # the caller gets the real value...
    assert "s3cr3t-value" not in str(handle.redacted(result.outputs))  # ...and can mask it like the events
    engine.bus.flush()
    assert seen and not any("s3cr3t-value" in str(e.data) for e in seen)


def test_a_missing_secret_names_itself(engine: Engine) -> None:
    wf = flow(
        "flowdeck: 1\nname: nosecret\nsteps:\n  use: {do: set, with: {values: {t: '{{ secrets.absent_one }}'}}}\n"
    )
    result = engine.run(wf)
    assert result.status == "failed" and "secret 'absent_one' is not set" in result.error["message"]


def test_cancel_stops_a_waiting_run(engine: Engine) -> None:
    handle = engine.submit(flow("flowdeck: 1\nname: waits\nsteps:\n  w: {do: wait, with: {duration: 30s}}\n"))
    running(handle)
    started = time.monotonic()
    handle.cancel()
    assert handle.wait(5).status == "cancelled"
    assert time.monotonic() - started < 2


def test_a_run_that_ignores_cancel_loses_its_process(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote, "KILL_AFTER", 0.5)
    wf = flow(f"flowdeck: 1\nname: stubborn\nsteps:\n  spin: {{do: set, with: {{values: {{x: '{ENDLESS}'}}}}}}\n")
    handle = engine.submit(wf)
    running(handle)
    stubborn = handle.run._worker.process.pid  # type: ignore[union-attr]
    handle.cancel()
    result = handle.wait(5)
    assert result.status == "cancelled"
    settle(engine)
    assert engine.history.run(result.run_id).status == "cancelled"
    assert stubborn not in engine.worker_pids()
    assert engine.run(flow("flowdeck: 1\nname: next\nsteps:\n  a: {do: log, with: {message: ok}}\n")).ok


def test_a_crashed_worker_fails_only_its_run_and_says_so(engine: Engine) -> None:
    wf = flow("flowdeck: 1\nname: victim\nsteps:\n  w: {do: wait, with: {duration: 30s}}\n")
    handle = engine.submit(wf)
    running(handle)
    busy = handle.run._worker  # type: ignore[union-attr]
    assert busy is not None
    os.kill(busy.process.pid, signal.SIGKILL)
    result = handle.wait(10)
    assert result.status == "failed"
    assert result.error["message"] == ("the run's process ended unexpectedly (exit code -9); the run was stopped there")
    settle(engine)
    record = engine.history.run(result.run_id)
    assert record is not None and record.status == "failed" and "exit code -9" in record.error["message"]
    assert engine.run(flow("flowdeck: 1\nname: after\nsteps:\n  a: {do: log, with: {message: ok}}\n")).ok


def test_shutdown_ends_runs_that_ignore_cancel_and_records_them(tmp_path: Path) -> None:
    e = Engine(workers=1, isolation="process", history=History(tmp_path / "h.sqlite3"))
    wf = flow(f"flowdeck: 1\nname: stubborn\nsteps:\n  spin: {{do: set, with: {{values: {{x: '{ENDLESS}'}}}}}}\n")
    handle = e.submit(wf)
    running(handle)
    started = time.monotonic()
    results = e.shutdown(grace=0.5)
    assert time.monotonic() - started < 3.5  # grace + STOP_AFTER_CANCEL + the kill, not 5 s per run
    assert [r.status for r in results] == ["cancelled"]
    history = History(tmp_path / "h.sqlite3")
    assert history.run(handle.run_id).status == "cancelled"
    history.close()


def test_a_loops_events_are_thinned_but_its_history_is_the_same(engine: Engine) -> None:
    seen = events_of(engine)
    wf = flow("""flowdeck: 1
name: loop
steps:
  each: {do: for_each, with: {items: "{{ range(1000) | list }}"}, next: {body: body}}
  body: {do: set, with: {values: {last: "{{ loop.item }}"}}}
""")
    result = engine.run(wf)
    assert result.ok and len(result.steps["each"]["results"]) == 1000  # the caller gets every value
    engine.bus.flush()
    body = [e for e in seen if e.step == "body" and e.kind == ev.STEP_FINISHED]
    assert 1 <= len(body) < 1000
    assert body[-1].data["output"] == {"values": {"last": 999}}
    settle(engine)
    steps = {s.step: s for s in engine.history.run(result.run_id).steps}
    assert steps["body"].status == "succeeded" and steps["body"].output == {"values": {"last": 999}}


def test_a_huge_output_crosses_as_its_truncated_text(engine: Engine) -> None:
    seen = events_of(engine)
    wf = flow("flowdeck: 1\nname: big\nsteps:\n  a: {do: set, with: {values: {x: \"{{ 'y' * 200000 }}\"}}}\n")
    result = engine.run(wf)
    assert result.ok and result.outputs == {}
    engine.bus.flush()
    finished = next(e for e in seen if e.kind == ev.STEP_FINISHED and e.step == "a")
    text = finished.data["output"]
    assert isinstance(text, str) and len(text) < 70_000 and text.endswith("characters in all]")


def test_worker_logs_reach_the_engines_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # as the app and the daemon set it up before they make their engine
    e = Engine(workers=1, isolation="process")  # no host: a notification is logged, in the engine's log
    try:
        assert e.run(flow("flowdeck: 1\nname: n\nsteps:\n  t: {do: notify, with: {title: Hello}}\n")).ok
        found = [r for r in caplog.records if "[notification] Hello" in r.getMessage()]
        assert found and found[0].name == "flowdeck.run" and found[0].process == os.getpid()
    finally:
        e.shutdown(grace=1)


@pytest.mark.skipif(not SUPPORTED, reason="per-thread nice values are a Linux feature")
def test_a_cpu_heavy_run_goes_on_at_background_priority_and_the_next_does_not(engine: Engine) -> None:
    heavy = flow(f"""flowdeck: 1
name: heavy
steps:
  each: {{do: for_each, with: {{items: "{{{{ range(60000) | list }}}}"}}, next: {{body: body, done: nice}}}}
  body: {{do: set, with: {{values: {{last: "{{{{ loop.item }}}}"}}}}}}
  nice: {{do: program.run, with: {{command: {PRINT_NICE}}}}}
""")
    light = flow(f"flowdeck: 1\nname: light\nsteps:\n  nice: {{do: program.run, with: {{command: {PRINT_NICE}}}}}\n")
    assert engine.run(light).steps["nice"]["stdout"].strip() == "0"
    assert engine.run(heavy).steps["nice"]["stdout"].strip() == str(BACKGROUND_NICE)
    assert engine.run(light).steps["nice"]["stdout"].strip() == "0"


def test_without_processes_runs_go_on_in_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    class NoProcesses:
        def Pipe(self) -> Any:
            import multiprocessing

            return multiprocessing.Pipe()

        def Process(self, **kwargs: Any) -> Any:
            class Refused:
                pid = None
                exitcode = None

                def start(self) -> None:
                    raise OSError("fork refused by the test")

                def join(self, timeout: float | None = None) -> None:
                    pass

                def is_alive(self) -> bool:
                    return False

            return Refused()

    monkeypatch.setattr(procworker, "_context", lambda: NoProcesses())
    with caplog.at_level(logging.ERROR, logger="flowdeck.workers"):
        e = Engine(workers=1, isolation="process")
        try:
            result = e.run(flow("flowdeck: 1\nname: here\nsteps:\n  a: {do: set, with: {values: {x: 1}}}\n"))
        finally:
            e.shutdown(grace=1)
    assert result.ok and result.steps["a"] == {"values": {"x": 1}}
    assert "runs go on in the app's own process" in caplog.text


def test_process_isolation_refuses_a_custom_registry() -> None:
    from engine.registry.blocks import Registry

    with pytest.raises(ValueError, match="custom registry"):
        Engine(isolation="process", registry=Registry())
    with pytest.raises(ValueError, match="isolation must be one of"):
        Engine(isolation="fibre")


def test_thinning_keeps_the_last_of_each_step_and_every_other_event() -> None:
    def e(kind: str, step: str | None, n: int) -> ev.Event:
        return ev.Event(kind, "r", "w", step, {"n": n})

    batch = [
        e(ev.RUN_STARTED, None, 0),
        e(ev.STEP_STARTED, "b", 1),
        e(ev.STEP_FINISHED, "b", 1),
        e(ev.LOG, "b", 1),
        e(ev.STEP_STARTED, "b", 2),
        e(ev.STEP_FAILED, "b", 2),
        e(ev.STEP_STARTED, "b", 3),
        e(ev.STEP_FINISHED, "b", 3),
    ]
    kept = [(x.kind, x.data["n"]) for x in wire.thin(batch)]
    assert kept == [
        (ev.RUN_STARTED, 0),
        (ev.LOG, 1),
        (ev.STEP_FAILED, 2),
        (ev.STEP_STARTED, 3),
        (ev.STEP_FINISHED, 3),
    ]


def test_a_value_that_cannot_be_pickled_crosses_as_text() -> None:
    import pickle

    message = (wire.EVENTS, [(ev.STEP_FINISHED, "r", "w", "a", {"output": {"handle": sys.stdout}}, 1.0)])
    back = pickle.loads(wire.dumps(message))
    assert back[1][0][4]["output"]["handle"].startswith("<_io.TextIOWrapper")


def test_no_process_starts_until_asked_then_one_is_kept_ready() -> None:
    e = Engine(workers=3, isolation="process")
    try:
        time.sleep(0.3)
        assert e.worker_pids() == []  # `flowdeck status` makes a service it never starts: no process for it
        e.warm()
        deadline = time.monotonic() + 10
        while not e._processes._ready_locked():  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the spare never got ready"
            time.sleep(0.02)
        assert len(e.worker_pids()) == 1
        assert e.run(flow("flowdeck: 1\nname: quick\nsteps:\n  a: {do: log, with: {message: ok}}\n")).ok
        assert len(e.worker_pids()) <= 2  # the one that ran, and at most one new spare
    finally:
        e.shutdown(grace=1)


def test_a_worker_killed_while_idle_is_replaced_and_the_next_run_is_not_lost(engine: Engine) -> None:
    quick = flow("flowdeck: 1\nname: quick\nsteps:\n  a: {do: log, with: {message: ok}}\n")
    assert engine.run(quick).ok
    killed = engine.worker_pids()
    assert killed
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while set(killed) & set(engine.worker_pids()):  # each worker's reader sees its pipe close
        assert time.monotonic() < deadline, "a dead worker stayed in the pool"
        time.sleep(0.02)
    result = engine.run(quick)
    assert result.ok and not set(killed) & set(engine.worker_pids())
