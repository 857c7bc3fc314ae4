"""The workspace lock itself: one holder at a time, who holds it, a reader that never takes it, and a lock that dies
with its process (SIGKILL included)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engine.scheduling.lock import APP, DAEMON, WorkspaceBusy, WorkspaceLock, holder, lock_folder
from tests.engine.scheduling.helpers import wait_for

HOLD = """
import sys, time
from pathlib import Path
from engine.scheduling.lock import WorkspaceLock
lock = WorkspaceLock(Path(sys.argv[1]), Path(sys.argv[2]))
lock.acquire("flowdeck daemon")
print("held", flush=True)
time.sleep(60)
"""


def test_one_holder_at_a_time_and_who_it_is(tmp_path: Path) -> None:
    ws, state = tmp_path / "ws", tmp_path / "state"
    ws.mkdir()
    first = WorkspaceLock(ws, state)
    assert holder(ws, state) is None
    first.acquire(APP)
    found = holder(ws, state)
    assert found is not None and (found.pid, found.who) == (os.getpid(), APP)
    info = json.loads(next(lock_folder(state).glob("*.json")).read_text())
    assert info["workspace"] == str(ws.resolve()) and info["who"] == APP
    with pytest.raises(WorkspaceBusy) as busy:
        WorkspaceLock(tmp_path / "ws" / ".." / "ws", state).acquire(DAEMON)  # the same folder, resolved
    assert str(busy.value) == (
        f"the workspace {ws} is run by the Flowdeck app (pid {os.getpid()}); quit it first, or use another folder"
    )
    assert holder(ws, state) is not None  # the reader did not take it, and the refused one did not break it
    first.release()
    assert holder(ws, state) is None
    second = WorkspaceLock(ws, state)
    second.acquire(DAEMON)
    assert holder(ws, state).who == DAEMON
    second.release()


def test_a_lock_dies_with_its_process_even_by_sigkill(tmp_path: Path) -> None:
    ws, state = tmp_path / "ws", tmp_path / "state"
    ws.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(ws), str(state)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        assert holder(ws, state).pid == proc.pid
        with pytest.raises(WorkspaceBusy, match=f"flowdeck daemon \\(pid {proc.pid}\\)"):
            WorkspaceLock(ws, state).acquire(APP)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert wait_for(lambda: holder(ws, state) is None, timeout=5)  # its JSON is still there, but no lock
        mine = WorkspaceLock(ws, state)
        mine.acquire(APP)
        assert holder(ws, state).pid == os.getpid()
        mine.release()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
