"""One Flowdeck per user: a second process hands its request to the first, and a crash leaves nothing in the way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gui.shell.instance import SingleInstance

PRIMARY = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from gui.shell.instance import SingleInstance
app = QCoreApplication([])
inst = SingleInstance(Path(sys.argv[1]))
print("primary" if inst.acquire() else "secondary", flush=True)
inst.request_received.connect(lambda r: print(json.dumps(r), flush=True))
app.exec()
"""


def start_primary(folder: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", PRIMARY, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[3],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "primary"
    return proc


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    # A short path: Unix socket names are limited to ~100 bytes.
    return tmp_path


def test_second_instance_hands_over_its_request(qapp, folder: Path) -> None:
    primary = start_primary(folder)
    try:
        second = SingleInstance(folder)
        assert not second.acquire()
        assert second.send({"action": "open", "files": ["/tmp/a.yaml"]}, timeout=10)
        assert primary.stdout is not None
        assert json.loads(primary.stdout.readline()) == {"action": "open", "files": ["/tmp/a.yaml"]}
    finally:
        primary.kill()
        primary.wait(10)


SECONDARY = """
import json, sys
from pathlib import Path
from gui.shell.instance import SingleInstance
inst = SingleInstance(Path(sys.argv[1]))
print("secondary" if not inst.acquire() else "primary", inst.send({"action": "show"}, timeout=10), flush=True)
"""


def test_a_crashed_instance_leaves_no_stale_lock_or_socket(qtbot, folder: Path) -> None:
    primary = start_primary(folder)
    os.kill(primary.pid, signal.SIGKILL)
    primary.wait(10)
    assert (folder / "flowdeck.lock").exists() and (folder / "flowdeck.sock").exists()  # what a crash leaves
    again = SingleInstance(folder)
    assert again.acquire(), "the stale lock of a killed process must not block a new start"
    try:
        received: list[dict] = []
        again.request_received.connect(received.append)
        second = subprocess.Popen(
            [sys.executable, "-c", SECONDARY, str(folder)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[3],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=20000)
        assert second.stdout is not None
        assert second.stdout.read().split() == ["secondary", "True"]
        assert received == [{"action": "show"}]
    finally:
        again.release()


def test_send_gives_up_when_nobody_listens(qapp, folder: Path) -> None:
    lonely = SingleInstance(folder)
    start = time.monotonic()
    assert not lonely.send({"action": "show"}, timeout=1.0)
    assert time.monotonic() - start < 5
