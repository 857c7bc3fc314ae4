"""Runs sent to a worker process in shares: when runs wait for every worker, one message takes several of them,
which the process executes in turn (engine.runtime.procpool). Nothing a person sees may change because of it: a
long run never holds up the runs sent behind it while another process is free, a cancel reaches a run waiting its
turn at once, a process that dies loses only the run it was executing, and a stop records the waiting ones as
cancelled at once. Real processes, real pipes, real signals, a real history.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.io import read_text
from engine.model.workflow import Workflow
from engine.runtime import Engine
from engine.runtime import events as ev
from engine.runtime.history import History
from engine.runtime.outcome import NOT_BEGUN


def flow(name: str, wait: str = "0s") -> Workflow:
    text = f"flowdeck: 1\nname: {name}\nsteps:\n  w: {{do: wait, with: {{duration: {wait}}}}}\n"
    wf, problems = read_text(text, f"{name}.yaml")
    assert wf is not None and not [p for p in problems if p.is_error], problems
    return wf


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    e = Engine(workers=2, isolation="process", history=History(tmp_path / "h.sqlite3"))
    e.warm(2)
    deadline = time.monotonic() + 20
    while len([w for w in e._processes._idle if w.ready.is_set()]) < 2:  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the two run processes did not start"
        time.sleep(0.02)
    yield e
    e.shutdown(grace=2)


def until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def behind_a_slow_run(engine: Engine, other: str = "0.6s", slow: str = "3s") -> tuple[Any, list[Any]]:
    """Both workers busy (a 0.3-s run and an ``other`` one), then a ``slow`` run and 7 quick ones: the first worker
    to come free is sent a share of four, the slow run first and three quick runs waiting behind it there."""
    engine.submit(flow("first", "0.3s"))
    engine.submit(flow("second", other))
    until(lambda: all(h.started for h in engine.active()))
    slow_run = engine.submit(flow("slow", slow))
    quick = [engine.submit(flow(f"quick{i}")) for i in range(7)]
    until(lambda: quick[0].run.waiting_turn())
    assert [h.run.waiting_turn() for h in quick[:3]] == [True, True, True]
    assert quick[0].run._worker is slow_run.run._worker
    return slow_run, quick


def test_runs_waiting_behind_a_long_run_are_taken_back_by_a_free_process(engine: Engine) -> None:
    slow, quick = behind_a_slow_run(engine)
    for handle in quick:
        assert handle.wait(10).status == "succeeded"
    assert not slow.done(), "the quick runs waited for the slow one"
    assert slow.wait(10).status == "succeeded"


def test_a_cancel_ends_a_run_waiting_its_turn_at_once_and_not_the_run_going(engine: Engine) -> None:
    slow, quick = behind_a_slow_run(engine, other="4s", slow="2s")  # no process comes free to take them back
    worker = slow.run._worker
    started = time.monotonic()
    quick[0].cancel()
    result = quick[0].wait(5)
    assert result.status == "cancelled" and result.message == NOT_BEGUN
    assert time.monotonic() - started < 1.0
    assert slow.wait(10).status == "succeeded"  # its process was not ended for the cancel
    assert worker.process.is_alive()
    assert all(h.wait(10).status == "succeeded" for h in quick[1:])
    engine.bus.flush(5)
    engine.history.flush(5)  # type: ignore[union-attr]
    row = engine.history.run(result.run_id)  # type: ignore[union-attr]
    assert row is not None and row.status == "cancelled"


def test_a_process_that_dies_loses_only_the_run_it_was_executing(engine: Engine) -> None:
    slow, quick = behind_a_slow_run(engine, other="4s")
    until(lambda: slow.run.run_id in slow.run.open_runs)
    os.kill(slow.run._worker.process.pid, signal.SIGKILL)
    result = slow.wait(10)
    assert result.status == "failed" and "exit code -9" in result.error["message"]
    assert [h.wait(15).status for h in quick] == ["succeeded"] * 7  # the ones waiting there ran elsewhere


def test_a_stop_records_the_runs_waiting_their_turn_as_cancelled_at_once(tmp_path: Path, engine: Engine) -> None:
    slow, quick = behind_a_slow_run(engine, other="4s", slow="1s")
    waiting = [h for h in quick if h.run.waiting_turn()]
    assert len(waiting) == 3
    results = {r.run_id: r for r in engine.shutdown(grace=10)}
    assert results[slow.run_id].status == "succeeded"
    history = History(tmp_path / "h.sqlite3")
    for handle in waiting:
        assert (results[handle.run_id].status, results[handle.run_id].message) == ("cancelled", NOT_BEGUN)
        row = history.run(handle.run_id)
        assert row is not None and row.status == "cancelled"
        assert row.finished - row.started < 1.0
    history.close()


def test_runs_sent_together_run_in_the_order_they_were_submitted(tmp_path: Path) -> None:
    e = Engine(workers=1, isolation="process", history=History(tmp_path / "h.sqlite3"))
    began: list[str] = []
    e.subscribe(lambda event: event.kind == ev.RUN_STARTED and began.append(event.workflow))
    try:
        first = e.submit(flow("first", "0.5s"))
        until(lambda: first.started)
        later = [e.submit(flow(f"run{i}")) for i in range(20)]  # all wait: one share of 20 when the first ends
        assert all(h.wait(20).status == "succeeded" for h in later)
        e.bus.flush(5)
        assert began == ["first"] + [f"run{i}" for i in range(20)]
        e.history.flush(5)  # type: ignore[union-attr]
        assert sorted(r.workflow for r in e.history.runs(limit=50) if r.status == "succeeded") == sorted(  # type: ignore[union-attr]
            ["first"] + [f"run{i}" for i in range(20)]
        )
    finally:
        e.shutdown(grace=2)
