"""The polling window trigger (the one Windows and macOS use) over the real X11 backend on Xvfb with openbox."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.desktop import backend
from engine.desktop.poll_watch import PollWindowWatch
from tests.engine.scheduling.helpers import wait_for
from tests.support.desk import PROBE, Desk

pytestmark = pytest.mark.xdisplay


def test_a_window_opened_and_closed_fires_opened_then_closed_once_each(desk: Desk) -> None:
    got: list[dict] = []
    watch = PollWindowWatch(backend(), "", "Receipt*", ["opened", "closed"], got.append, every=0.1)
    watch.start()
    try:
        probe = subprocess.Popen([sys.executable, str(PROBE), "Receipt 7"], env=desk.x.env(), stdout=subprocess.PIPE)
        assert wait_for(lambda: got, 10), "opened did not fire"
        probe.terminate()
        probe.wait(5)
        assert wait_for(lambda: len(got) == 2, 10), got
        assert [(g["event"], g["app"], g["title"]) for g in got] == [
            ("opened", "flowprobe", "Receipt 7"),
            ("closed", "flowprobe", "Receipt 7"),
        ]
    finally:
        watch.stop()
