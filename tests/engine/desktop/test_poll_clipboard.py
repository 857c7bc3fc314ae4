"""The polling clipboard trigger (the one Windows and macOS use) over the real X11 backend's clipboard under Xvfb."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from engine.desktop import backend
from engine.desktop.poll_clipboard import PollClipboardWatch
from tests.engine.scheduling.helpers import wait_for
from tests.support.desk import PROBE, Desk

pytestmark = pytest.mark.xdisplay


def _copy(desk: Desk, text: str, seconds: float = 1.5) -> subprocess.Popen:
    """Another program (the Tk probe) owning the clipboard with ``text`` for ``seconds``."""
    return subprocess.Popen([sys.executable, str(PROBE), "--copy", text, str(seconds)], env=desk.x.env())


def test_the_x11_backend_reads_the_text_the_clipboards_owner_holds(desk: Desk) -> None:
    owner = _copy(desk, "Grüße, 42 €")
    try:
        assert wait_for(lambda: backend().clipboard_text() == "Grüße, 42 €", 5), backend().clipboard_text()
        assert backend().clipboard_serial() is None  # X11 counts no copies: the watcher compares the text
    finally:
        owner.wait(10)
    assert backend().clipboard_text() == ""  # its owner gone, the clipboard is empty


def test_new_matching_text_fires_once_and_other_text_does_not(desk: Desk) -> None:
    first = _copy(desk, "already there")
    assert wait_for(lambda: backend().clipboard_text() == "already there", 5)
    got: list[dict] = []
    watch = PollClipboardWatch(backend(), "^https?://", got.append, every=0.1)  # what is there now: no fire
    watch.start()
    try:
        first.wait(10)
        for text in ("not a link", "https://flowdeck.example/a"):
            _copy(desk, text).wait(10)
        assert wait_for(lambda: got, 5), "the clipboard trigger did not fire"
        time.sleep(0.3)
        assert got == [{"text": "https://flowdeck.example/a"}]
    finally:
        watch.stop()
