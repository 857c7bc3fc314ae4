"""Run history under real faults: a disk that fills up, a read-only folder, a bounded memory of unwritten rows.

Real tmpfs mounts (tests/support/mounts.py): the disk is really full, the folder really read-only.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest

from engine.runtime import Engine
from engine.runtime import events as ev
from engine.runtime import history as history_module
from engine.runtime.history import History, HistoryUnavailable
from tests.engine.runtime.conftest import REGISTRY, load
from tests.support.mounts import fill, set_read_only, tiny_disk
from tests.support.product import wait_until

FLOW = "flowdeck: 1\nname: Tick\nsteps:\n  a:\n    do: log\n    with: {message: tick}\n"


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "RETRY_INTERVAL", 0.2)


def _feed(history: History, run_id: str, workflow: str = "W") -> None:
    now = time.time()
    history.listener(ev.Event(ev.RUN_STARTED, run_id, workflow, None, {"trigger": {}, "source": "t"}, now))
    history.listener(ev.Event(ev.STEP_STARTED, run_id, workflow, "s", {"block": "set", "inputs": {}}, now))
    history.listener(ev.Event(ev.STEP_FINISHED, run_id, workflow, "s", {"output": "x" * 2000, "duration": 0.1}, now))
    history.listener(ev.Event(ev.RUN_FINISHED, run_id, workflow, None, {"status": "succeeded"}, now + 1))


def _ids(path: Path) -> list[str]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return sorted(r[0] for r in db.execute("SELECT run_id FROM runs"))
    finally:
        db.close()


def test_full_disk_at_open_is_not_damage_and_runs_are_recorded_once_there_is_room(tmp_path: Path) -> None:
    """Disk full when the history is opened: the file stays where it is, one line says the disk is full, runs go
    on, and they are recorded by themselves once there is room."""
    with tiny_disk(tmp_path / "data") as data:
        path = data / "history.sqlite3"
        history = History(path)
        _feed(history, "before")
        history.close()
        filler = fill(data)
        history = History(path)
        engine = Engine(workers=1, registry=REGISTRY, history=history)
        results = [engine.run(load(FLOW)) for _ in range(5)]
        engine.bus.flush()
        history.flush()
        assert [r.status for r in results] == ["succeeded"] * 5
        full = [p for p in history.problems if "disk is full" in p]
        assert full == [
            f"the run history cannot be written: the disk is full ({path}); runs go on unrecorded until there is room"
        ]
        assert history.problems == full  # said once, nothing moved aside
        assert not list(data.glob("*.corrupt-*"))
        filler.unlink()
        assert wait_until(lambda: len(_ids(path)) == 6, 10), _ids(path)
        assert history.down is None
        engine.shutdown(1)
        assert set(_ids(path)) == {"before", *(r.run_id for r in results)}


def test_disk_filling_up_while_writing_reports_the_real_cause(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A write that fails on a full disk says "the disk is full" (a failed ROLLBACK used to hide it)."""
    with tiny_disk(tmp_path / "data") as data:
        path = data / "history.sqlite3"
        history = History(path)
        filler = fill(data)
        with caplog.at_level(logging.WARNING, "engine.runtime.history"):
            for i in range(20):
                _feed(history, f"r{i}")
            history.flush()
        assert any("the disk is full" in p for p in history.problems), history.problems
        assert not any("rollback" in r.getMessage().lower() for r in caplog.records)
        filler.unlink()
        assert wait_until(lambda: len(_ids(path)) == 20, 10)
        history.close()
        assert not list(data.glob("*.corrupt-*"))


def test_read_only_folder_is_said_so_the_history_still_reads_and_writes_again_later(tmp_path: Path) -> None:
    """A read-only data folder: "its folder is read-only" (not "damaged"), past runs still read, nothing moved,
    runs go on, and they are recorded once the folder can be written again."""
    with tiny_disk(tmp_path / "data", "4m") as data:
        path = data / "history.sqlite3"
        history = History(path)
        _feed(history, "old")
        history.close()
        set_read_only(data)
        history = History(path)
        assert history.problems == [
            f"the run history cannot be written: its folder is read-only ({path}); runs go on unrecorded until it "
            "can be written"
        ]
        assert [r.run_id for r in history.runs()] == ["old"]
        engine = Engine(workers=1, registry=REGISTRY, history=history)
        result = engine.run(load(FLOW))
        assert result.status == "succeeded"
        engine.bus.flush()
        history.flush()
        with pytest.raises(HistoryUnavailable, match="its folder is read-only"):
            history.clear()
        set_read_only(data, False)
        assert wait_until(lambda: result.run_id in _ids(path), 10)
        engine.shutdown(1)
        assert not list(data.glob("*.corrupt-*")) and _ids(path) == sorted(["old", result.run_id])


def test_read_only_folder_without_a_history_yet(tmp_path: Path) -> None:
    """No history file and a read-only folder: one clear line, no exception, no file."""
    with tiny_disk(tmp_path / "data") as data:
        set_read_only(data)
        history = History(data / "flowdeck" / "history.sqlite3")
        assert len(history.problems) == 1 and "its folder is read-only" in history.problems[0]
        assert history.runs() == []
        history.close()


def test_rows_kept_while_down_are_bounded_and_a_drop_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """At most MAX_UNWRITTEN_RUNS runs wait in memory; past it the oldest is dropped, with a log line for each."""
    monkeypatch.setattr(history_module, "MAX_UNWRITTEN_RUNS", 3)
    with tiny_disk(tmp_path / "data") as data:
        path = data / "history.sqlite3"
        history = History(path)
        filler = fill(data)
        with caplog.at_level(logging.WARNING, "engine.runtime.history"):
            for i in range(5):
                _feed(history, f"r{i}")
            history.flush()
        dropped = [r.getMessage() for r in caplog.records if "is not recorded" in r.getMessage()]
        assert len(dropped) == 2 and dropped[0].startswith("run history: run r0 of W (succeeded) is not recorded")
        filler.unlink()
        assert wait_until(lambda: _ids(path) == ["r2", "r3", "r4"], 10), _ids(path)
        history.close()


def test_a_run_starting_while_the_history_is_down_does_not_wait_for_it(tmp_path: Path) -> None:
    """While the history cannot be written, ``begin`` (on the thread that starts a run) never waits for the writer,
    which may be retrying a locked database for its whole busy timeout; the row is written once it can be."""
    import threading

    path = tmp_path / "h.sqlite3"
    history = History(path)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    history.begin("first", "W")  # finds the database locked: the history is down
    assert history.down is not None and "locked by another process" in history.down
    with history._lock:  # as the writer holds it while it retries
        starter = threading.Thread(target=history.begin, args=("second", "W"))
        starter.start()
        starter.join(10)
        assert not starter.is_alive(), "begin waited for the writer"
    blocker.execute("ROLLBACK")
    blocker.close()
    assert wait_until(lambda: _ids(path) == ["first", "second"], 10)
    history.close()


def test_damage_found_while_writing_moves_the_file_aside_and_the_run_goes_to_a_fresh_one(tmp_path: Path) -> None:
    """A file that opens but turns out damaged when a run's steps are written ("database disk image is malformed")
    is real damage: it is moved aside and the rows are written into a fresh file."""
    path = tmp_path / "h.sqlite3"
    history = History(path)
    for i in range(3):
        _feed(history, f"old{i}")
    history.close()
    db = sqlite3.connect(path)
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'steps'").fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    with open(path, "r+b") as f:  # the steps table's first page is garbage now; the runs table is intact
        f.seek((root - 1) * size)
        f.write(b"\xff" * size)
    history = History(path)
    assert history.problems == []  # it opened: the runs table reads fine
    _feed(history, "new")
    history.flush()
    [aside] = tmp_path.glob("h.sqlite3.corrupt-*")
    assert "damaged" in history.problems[0] and "malformed" in history.problems[0], history.problems
    assert _ids(path) == ["new"]
    history.close()
    assert aside.stat().st_size > 0


def test_two_damaged_files_in_one_second_are_both_kept(tmp_path: Path) -> None:
    """Each damaged file moved aside keeps its own name, even twice within the same second."""
    path = tmp_path / "h.sqlite3"
    for text in (b"first damaged file " * 300, b"second damaged file " * 300):
        path.write_bytes(text)
        History(path).close()
    kept = sorted(
        p.read_bytes()[:6] for p in tmp_path.glob("h.sqlite3.corrupt-*") if not p.name.endswith(("wal", "shm"))
    )
    assert kept == [b"first ", b"second"]
