"""Who owns a 'running' row: a process is its pid, boot id and start time, not its pid alone; and a run's row is
committed before the run executes."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from engine.io import read_text
from engine.registry.blocks import BlockType, Registry
from engine.runtime import Engine
from engine.runtime.history import History
from engine.runtime.owner import Owner, alive, boot_id, start_time, this_process
from tests.engine.runtime.conftest import REGISTRY


def _running_row(path: Path, run_id: str, owner: Owner) -> None:
    db = sqlite3.connect(path)
    db.execute("INSERT INTO runs (run_id, workflow, status, started, pid) VALUES (?, 'W', 'running', 1, ?)",
               (run_id, owner.pid))  # fmt: skip
    db.execute("INSERT OR REPLACE INTO owners VALUES (?,?,?)", (owner.pid, owner.boot, owner.started))
    db.commit()
    db.close()


def _status(path: Path, run_id: str) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()[0]
    finally:
        db.close()


def test_this_process_is_read_from_proc() -> None:
    me = this_process()
    assert me.pid == os.getpid() and me.boot == boot_id() != "" and me.started == start_time(os.getpid()) != ""
    assert alive(me)
    assert not alive(Owner(me.pid, me.boot, str(int(me.started) + 1)))  # same pid, another start: not this one
    assert not alive(Owner(me.pid, "another-boot", me.started))


def test_a_row_of_this_pid_with_another_start_time_is_interrupted(tmp_path: Path) -> None:
    """The pid is this process's (as PID 1 restarted in a container), but the start time is another process's."""
    path = tmp_path / "h.sqlite3"
    History(path).close()
    me = this_process()
    _running_row(path, "before-restart", Owner(me.pid, me.boot, str(int(me.started) - 100)))
    History(path).close()
    assert _status(path, "before-restart") == "interrupted"


def test_a_row_of_another_boot_is_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).close()
    _running_row(path, "last-boot", Owner(1, "00000000-0000-0000-0000-000000000000", start_time(1) or ""))
    History(path).close()
    assert _status(path, "last-boot") == "interrupted"


def test_a_row_of_a_live_owner_stays_running(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).close()
    one = Owner(1, boot_id(), start_time(1) or "")  # PID 1 of this machine (or namespace), alive as it is
    _running_row(path, "other-process", one)
    History(path).close()
    assert _status(path, "other-process") == "running"


def test_the_runs_row_is_committed_before_its_first_step_executes(tmp_path: Path) -> None:
    """What a first step sees in the database (from another connection, as after a crash): its run's row."""
    path = tmp_path / "h.sqlite3"
    seen: list[tuple[str, str] | None] = []

    def look(ctx: object) -> dict[str, object]:
        db = sqlite3.connect(path)
        seen.append(db.execute("SELECT workflow, status FROM runs").fetchone())
        db.close()
        return {}

    registry = Registry([*REGISTRY, BlockType("test.look", "Look", "Test", "reads the history", run=look)])
    history = History(path)
    engine = Engine(workers=1, registry=registry, history=history)
    wf, problems = read_text("flowdeck: 1\nname: Look\nsteps:\n  first:\n    do: test.look\n", "look.yaml", registry)
    assert wf is not None, problems
    result = engine.run(wf)
    assert result.status == "succeeded", result.error
    assert seen == [("Look", "running")]
    engine.shutdown(1)


def test_a_run_that_fails_in_its_process_before_it_begins_is_not_left_running(tmp_path: Path) -> None:
    """Its row was committed before the worker was told to go; the failure ends it (not 'running' until exit)."""
    import dataclasses

    from engine.io import read_text as read

    history = History(tmp_path / "h.sqlite3")
    engine = Engine(workers=1, history=history, isolation="process")
    wf, _ = read("flowdeck: 1\nname: Broken\nsteps:\n  a: {do: log, with: {message: hi}}\n", "broken.yaml")
    plan = dataclasses.replace(engine.plan(wf), snapshot=b"not a pickled workflow")
    try:
        result = engine.submit(plan).wait(30)
        assert result.status == "failed"
        engine.bus.flush()
        history.flush()
        record = history.run(result.run_id)
        assert record is not None and record.status == "failed"
    finally:
        engine.shutdown(1)


def test_owners_hold_only_the_processes_of_running_rows(tmp_path: Path) -> None:
    """Every process that opens the history does not stay in it: owners no running row names are forgotten."""
    path = tmp_path / "h.sqlite3"
    History(path).close()
    for pid in range(100, 150):  # fifty processes that wrote rows long ago
        _running_row(path, f"r{pid}", Owner(pid, "old-boot", "1"))
    db = sqlite3.connect(path)
    db.execute("UPDATE runs SET status = 'succeeded' WHERE run_id != 'r100'")
    db.commit()
    db.close()
    History(path).close()  # r100's owner is of another boot: interrupted; then no running row names any owner
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM owners").fetchone()[0] == 0
    db.close()
    assert _status(path, "r100") == "interrupted"


def test_runs_beginning_together_are_each_committed_when_their_begin_returns(tmp_path: Path) -> None:
    """Begins on many threads at once share commits, yet each run's row is in the database when its begin
    returns (read from another connection, as a crash would leave it)."""
    import threading

    path = tmp_path / "h.sqlite3"
    history = History(path)
    seen: dict[str, bool] = {}

    def start(run_id: str) -> None:
        history.begin(run_id, "W")
        db = sqlite3.connect(path)
        seen[run_id] = db.execute("SELECT count(*) FROM runs WHERE run_id = ?", (run_id,)).fetchone()[0] == 1
        db.close()

    threads = [threading.Thread(target=start, args=(f"r{i}",)) for i in range(20)]
    with history._lock:  # as the writer holds it for its SQL: the begins queue up behind it and commit together
        for thread in threads:
            thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join(10)
    assert seen == {f"r{i}": True for i in range(20)}
    history.close()
