"""The scheduler's saved state: fire times reach the file without a flush, a burst is one write, close ends it."""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.scheduling import state as state_module
from engine.scheduling.service import SWITCH_INTERVAL
from engine.scheduling.state import SAVE_DELAY, SchedulerState
from tests.engine.scheduling.helpers import service, wait_for

T0 = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)


def _saved(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("seen", {})
    except (OSError, ValueError):
        return {}


def _savers() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "flowdeck-state")


def test_fire_times_are_saved_soon_and_a_burst_is_one_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[Path] = []
    real = state_module.atomic_write
    monkeypatch.setattr(state_module, "atomic_write", lambda path, data: (writes.append(path), real(path, data)))
    state = SchedulerState(tmp_path)
    for i in range(500):
        state.set_seen(f"k{i}", T0 + timedelta(minutes=i))
    assert wait_for(lambda: len(_saved(state.file)) == 500, timeout=SAVE_DELAY * 6)
    time.sleep(SAVE_DELAY * 2)
    assert len(writes) <= 2  # the burst is gathered, not written 500 times
    assert _saved(state.file)["k499"] == (T0 + timedelta(minutes=499)).isoformat()
    state.close()


def test_close_writes_what_is_pending_and_ends_the_saver(tmp_path: Path) -> None:
    before = _savers()
    state = SchedulerState(tmp_path)
    state.set_seen("k", T0)
    assert _savers() == before + 1
    state.close()  # at once, not after SAVE_DELAY
    assert _saved(state.file) == {"k": T0.isoformat()}
    assert wait_for(lambda: _savers() == before, timeout=5)
    assert SchedulerState(tmp_path).seen("k") == T0


def test_start_lowers_the_thread_switch_interval(tmp_path: Path) -> None:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    svc = service(tmp_path)
    try:
        svc.start()
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    finally:
        svc.stop(grace=1)
        sys.setswitchinterval(previous)


def test_nothing_is_written_once_close_has_returned(tmp_path: Path) -> None:
    """A fire saved just before the service stops is in the file close() writes; the folder removed right after
    (a stopped service's state folder, a test's temporary one) is not made again by a late write."""
    folder = tmp_path / "state"
    state = SchedulerState(folder)
    state.set_seen("a", T0)
    time.sleep(SAVE_DELAY / 5)  # the saver is in its wait for more changes
    started = time.monotonic()
    state.close()
    assert time.monotonic() - started < SAVE_DELAY, "close does not wait out the saver's delay"
    assert _saved(state.file) == {"a": T0.isoformat()}
    (state.file).unlink()
    folder.rmdir()
    time.sleep(SAVE_DELAY * 2)
    assert not folder.exists(), "written again after close() returned"
    assert _savers() == 0
