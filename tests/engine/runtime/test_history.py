"""Run history on real SQLite files: recording, truncation, redaction, retention, interrupted runs, bad databases."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from engine.runtime import Engine
from engine.runtime import events as ev
from engine.runtime import history as history_module
from engine.runtime.history import History, default_history_path
from engine.runtime.records import RunRecord
from tests.engine.runtime.conftest import REGISTRY, load
from tests.support.product import wait_until

FLOW = """
flowdeck: 1
name: Hist
steps:
  first:
    do: set
    with: {values: {n: "{{ 40 + 2 }}"}}
    next: second
  second:
    do: log
    with: {message: "n is {{ vars.n }}"}
"""


Missing = RunRecord("", "", status="missing")


def _engine(history: History) -> Engine:
    return Engine(workers=2, registry=REGISTRY, history=history)


def test_default_path_is_in_user_data_folder() -> None:
    path = default_history_path()
    assert path.name == "history.sqlite3"
    assert str(path).startswith(os.environ["XDG_DATA_HOME"])


def test_run_and_steps_are_recorded(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    eng = _engine(history)
    result = eng.run(load(FLOW), trigger={"kind": "manual"})
    eng.bus.flush()
    history.flush()
    rec = history.run(result.run_id)
    assert rec is not None and rec.status == "succeeded" and rec.workflow == "Hist"
    assert rec.trigger == {"kind": "manual"}
    assert [s.step for s in rec.steps] == ["first", "second"]
    assert rec.steps[0].output == {"values": {"n": 42}}
    assert rec.steps[1].inputs["message"] == "n is 42"
    assert rec.steps[1].logs and "n is 42" in rec.steps[1].logs[0]["message"]
    assert history.last_run("Hist").run_id == result.run_id
    assert history.workflows() == ["Hist"]
    assert history.run(result.run_id[:8]).run_id == result.run_id  # a unique prefix is enough
    eng.shutdown(1)
    mode = sqlite3.connect(tmp_path / "h.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_failed_run_records_error_and_filter(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    eng = _engine(history)
    eng.run(load(FLOW))
    bad = eng.run(load("flowdeck: 1\nname: Bad\nsteps:\n  b:\n    do: test.boom\n    with: {message: kaput}\n"))
    eng.shutdown(1)
    history = History(tmp_path / "h.sqlite3")
    failed = history.runs(status="failed")
    assert [r.run_id for r in failed] == [bad.run_id]
    assert "kaput" in failed[0].error["message"]
    assert history.run(bad.run_id).steps[0].status == "failed"
    assert len(history.runs(workflow="Hist")) == 1
    assert history.runs(since=time.time() + 60) == []
    assert history.clear("Bad") == 1 and history.workflows() == ["Hist"]
    history.close()


def _feed(history: History, run_id: str, workflow: str, started: float, output: object = None) -> None:
    history.listener(ev.Event(ev.RUN_STARTED, run_id, workflow, None, {"trigger": {}, "source": "t"}, started))
    history.listener(ev.Event(ev.STEP_STARTED, run_id, workflow, "s", {"block": "set", "inputs": {}}, started))
    history.listener(ev.Event(ev.STEP_FINISHED, run_id, workflow, "s", {"output": output, "duration": 0.1}, started))
    history.listener(ev.Event(ev.RUN_FINISHED, run_id, workflow, None, {"status": "succeeded"}, started + 1))


def test_outputs_truncated_and_say_so(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3", max_output_chars=100)
    _feed(history, "r1", "W", time.time(), "x" * 10_000)
    history.flush()
    out = history.run("r1").steps[0].output
    assert isinstance(out, str) and len(out) < 200 and "truncated" in out and "10002" in out
    history.close()


def test_retention_keeps_n_runs_and_d_days_per_workflow_and_reclaims_space(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    history = History(path, keep_runs=5, keep_days=1)
    now = time.time()
    for i in range(40):
        _feed(history, f"a{i:02}", "A", now - 40 + i, "y" * 20_000)
    _feed(history, "old", "B", now - 3 * 86400)
    _feed(history, "new", "B", now)
    history.flush()
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    before = path.stat().st_size
    assert before > 500_000
    removed = history.prune()
    assert removed == 36
    assert [r.run_id for r in history.runs("A")] == [f"a{i:02}" for i in range(39, 34, -1)]
    assert [r.run_id for r in history.runs("B")] == ["new"]
    history.close()
    assert path.stat().st_size < before / 2


def test_run_left_running_by_dead_process_is_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).close()
    db = sqlite3.connect(path)
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    db.execute("INSERT INTO runs (run_id, workflow, status, started, pid) VALUES ('x', 'W', 'running', 1, ?)", (dead,))
    db.execute("INSERT INTO runs (run_id, workflow, status, started, pid) VALUES ('y', 'W', 'running', 2, ?)", (1,))
    db.commit()
    db.close()
    history = History(path)
    assert history.run("x").status == "interrupted"
    assert history.run("y").status == "running"  # pid 1 is alive: that run is someone else's
    history.close()


def test_corrupt_database_is_moved_aside_and_run_still_happens(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database" * 500)
    history = History(path)
    aside = list(tmp_path.glob("h.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    assert history.problems and "damaged" in history.problems[0]
    eng = _engine(history)
    result = eng.run(load(FLOW))
    assert result.status == "succeeded"
    eng.shutdown(1)
    assert History(path).run(result.run_id).status == "succeeded"


def test_locked_database_reports_problem_and_run_still_happens(tmp_path: Path, monkeypatch) -> None:
    """A locked database is said to be locked (not damaged), the run goes on, and it is recorded once free."""
    monkeypatch.setattr(history_module, "RETRY_INTERVAL", 0.2)
    path = tmp_path / "h.sqlite3"
    history = History(path)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        eng = _engine(history)
        result = eng.run(load(FLOW))
        assert result.status == "succeeded"
        eng.bus.flush()
        history.flush(10)
        assert history.problems == [
            f"the run history cannot be written: the database is locked by another process ({path}); runs go on "
            "unrecorded until it is free"
        ]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert wait_until(lambda: (history.run(result.run_id) or Missing).status == "succeeded", 10)
    assert not list(tmp_path.glob("*.corrupt-*"))
    eng.shutdown(1)


def test_secrets_are_redacted_in_history(tmp_path: Path) -> None:
    import keyring

    keyring.set_password("flowdeck", "token", "s3cr3t-value")
    history = History(tmp_path / "h.sqlite3")
    eng = _engine(history)
    flow = "flowdeck: 1\nname: Sec\nsteps:\n  a:\n    do: log\n    with: {message: 'token={{ secrets.token }}'}\n"
    result = eng.run(load(flow))
    assert result.status == "succeeded", result.error
    eng.shutdown(1)
    raw = (tmp_path / "h.sqlite3").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("h.sqlite3-*"))
    assert b"s3cr3t-value" not in raw
    rec = History(tmp_path / "h.sqlite3").run(result.run_id)
    assert "s3cr3t-value" not in rec.steps[0].inputs["message"] and "token=" in rec.steps[0].inputs["message"]


def test_cancelled_run_is_recorded_as_cancelled_within_a_second(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    eng = _engine(history)
    flow = "flowdeck: 1\nname: Long\nsteps:\n  nap: {do: wait, with: {duration: 60s}, next: never}\n"
    flow += "  never: {do: log, with: {message: not reached}}\n"
    handle = eng.submit(load(flow))
    deadline = time.monotonic() + 10
    while eng.get(handle.run_id) is not None and not handle.started and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # let the wait begin
    asked = time.monotonic()
    handle.cancel()
    result = handle.wait(10)
    assert result.status == "cancelled" and time.monotonic() - asked < 1.5
    eng.bus.flush()
    history.flush()
    rec = history.run(result.run_id)
    assert rec is not None and rec.status == "cancelled"
    assert [s.step for s in rec.steps] == ["nap"] and rec.steps[0].status == "cancelled"
    eng.shutdown(1)


def test_a_secret_read_by_a_child_workflow_is_masked_in_the_parent(tmp_path: Path) -> None:
    import keyring

    from engine.io import load_workflow

    keyring.set_password("flowdeck", "child_token", "ch1ld-s3cret")
    (tmp_path / "child.yaml").write_text(
        "flowdeck: 1\nname: Child\noutputs: {token: '{{ vars.token }}'}\n"
        "steps:\n  get: {do: set, with: {values: {token: '{{ secrets.child_token }}'}}}\n"
    )
    (tmp_path / "parent.yaml").write_text(
        "flowdeck: 1\nname: Parent\nsteps:\n"
        "  call: {do: workflow.run, with: {path: child.yaml}, next: say}\n"
        "  say: {do: log, with: {message: 'got {{ steps.call.outputs.token }}'}}\n"
    )
    history = History(tmp_path / "h.sqlite3")
    eng = _engine(history)
    seen: list[ev.Event] = []
    eng.subscribe(seen.append)
    handle = eng.submit(load_workflow(tmp_path / "parent.yaml", REGISTRY))
    result = handle.wait(20)
    assert result.status == "succeeded", result.error
    assert result.steps["say"]["message"] == "got ch1ld-s3cret"  # the run itself has the real value
    eng.shutdown(1)
    assert "ch1ld-s3cret" not in repr([e.data for e in seen])
    assert "ch1ld-s3cret" not in repr(handle.redacted(result.steps))
    raw = (tmp_path / "h.sqlite3").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("h.sqlite3-*"))
    assert b"ch1ld-s3cret" not in raw
