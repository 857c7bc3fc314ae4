"""Handing a run to its worker process can fail (a value too deep to pickle): that run fails, nothing else does.

Real processes, real pipes, a real value that pickle refuses; the engine must record the failed run with its error
and keep handing out the runs that follow, on every path a run takes to a worker (an idle one, a queued run taken by
a worker that came free, a run waiting for a worker to start).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.io import read_text
from engine.model.workflow import Workflow
from engine.runtime import Engine
from engine.runtime.history import History

FLOW = """flowdeck: 1
name: {name}
steps:
  a: {{do: wait, with: {{duration: {wait}}}}}
"""


def flow(name: str = "quick", wait: str = "0s") -> Workflow:
    wf, problems = read_text(FLOW.format(name=name, wait=wait), f"{name}.yaml")
    assert wf is not None and not [p for p in problems if p.is_error], problems
    return wf


def too_deep(depth: int = 5000) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    e = Engine(workers=1, isolation="process", history=History(tmp_path / "h.sqlite3"), state_dir=tmp_path / "state")
    yield e
    e.shutdown(grace=2)


def test_a_run_that_cannot_be_handed_over_fails_alone(engine: Engine) -> None:
    engine.warm()
    bad = engine.submit(flow("bad"), variables={"deep": too_deep()})
    result = bad.wait(20)
    assert result.status == "failed"
    assert result.error is not None and result.error["kind"] == "handover"
    assert "could not be handed to its process" in result.error["message"]
    assert "RecursionError" in result.error["message"]
    assert engine.submit(flow("good")).wait(20).status == "succeeded"  # the same worker takes the next run
    assert engine.bus.flush(5) and engine.history is not None
    engine.history.flush(5)
    rows = {r.workflow: r for r in engine.history.runs()}
    assert rows["bad"].status == "failed" and "could not be handed" in rows["bad"].error["message"]
    assert rows["good"].status == "succeeded"


def test_a_queued_run_that_cannot_be_handed_over_fails_and_the_next_runs(engine: Engine) -> None:
    first = engine.submit(flow("slow", "0.5s"))  # the only worker: the next two wait in the queue
    bad = engine.submit(flow("bad"), variables={"deep": too_deep()})
    good = engine.submit(flow("good"))
    assert first.wait(20).status == "succeeded"
    assert bad.wait(20).status == "failed"
    assert good.wait(20).status == "succeeded"
    assert engine.submit(flow("after")).wait(20).status == "succeeded"


TICK = """flowdeck: 1
name: tick
triggers:
  - schedule: {every: 1s}
steps:
  a: {do: log, with: {message: tick}}
"""


def test_schedules_still_fire_after_runs_that_could_not_be_handed_over(tmp_path: Path) -> None:
    from engine.runtime import events as ev
    from engine.scheduling.service import Service
    from tests.engine.scheduling.helpers import wait_for

    ws = tmp_path / "ws"
    ws.mkdir()
    manual = ws / "manual.yaml"
    manual.write_text(FLOW.format(name="manual", wait="0s"), encoding="utf-8")
    svc = Service(ws, state_dir=tmp_path / "state", webhook_port=None, workers=1)
    ended: list[tuple[str, str]] = []
    svc.engine.subscribe(lambda e: e.kind == ev.RUN_FINISHED and ended.append((e.workflow, e.data["status"])))
    svc.start()
    try:
        for _ in range(8):  # one after the other: the workflow's overlap policy is skip
            assert svc.run_now(manual, {"deep": too_deep()}).wait(20).status == "failed"
        (ws / "tick.yaml").write_text(TICK, encoding="utf-8")
        assert wait_for(lambda: ("tick", "succeeded") in ended, timeout=20), ended
        assert svc.run_now(manual).wait(20).status == "succeeded"
    finally:
        svc.stop(grace=2)


DEEP_OUTPUT = """flowdeck: 1
name: deep-output
outputs:
  v: "{{ steps.parse.value }}"
steps:
  parse:
    do: json.parse
    with: {text: "{{ '[' * 900 ~ ']' * 900 }}"}
    next: after
  after: {do: log, with: {message: after}}
"""


def test_a_step_output_too_deep_to_send_back_arrives_as_a_note(engine: Engine) -> None:
    """900 levels parse (the JSON parser allows about 1,000) but cannot be pickled: the run and its history stay
    whole, with a note in place of that value, and the worker goes on with the next run."""
    wf, problems = read_text(DEEP_OUTPUT, "deep-output.yaml")
    assert wf is not None, problems
    result = engine.submit(wf).wait(20)
    assert result.status == "succeeded", result.error
    assert str(result.outputs["v"]).startswith("(a value that could not be sent between processes: RecursionError")
    assert engine.bus.flush(5) and engine.history is not None
    engine.history.flush(5)
    [row] = engine.history.runs()
    assert row.status == "succeeded"
    assert [(s.step, s.status) for s in engine.history.run(row.run_id).steps] == [
        ("parse", "succeeded"),
        ("after", "succeeded"),
    ]
    assert engine.submit(flow("good")).wait(20).status == "succeeded"
