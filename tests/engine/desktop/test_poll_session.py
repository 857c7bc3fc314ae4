"""The session trigger's polling watcher (engine.desktop.poll_session), as on Windows and macOS: idle for real on
an X display (the screen saver extension's idle time, input sent with XTEST), sleep and wake through the
scheduler's sleep detection on a manual clock (a real suspend cannot be made in a test)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from engine.desktop import backend
from engine.desktop.poll_session import PollSessionWatch
from engine.scheduling.clock import ManualClock
from tests.engine.scheduling.helpers import wait_for
from tests.support.desk import Desk


def test_a_sleep_is_told_on_waking_as_sleep_then_wake_with_how_long() -> None:
    clock, fired = ManualClock(), []
    watch = PollSessionWatch(["sleep", "wake", "idle"], 600, fired.append, None, clock=clock)
    clock.advance(5)
    watch.look()
    assert fired == []  # time passing on both clocks is no sleep
    clock.sleep(3600)
    watch.look()
    assert fired == [{"event": "sleep", "slept": 3600}, {"event": "wake", "slept": 3600}]
    watch.look()
    assert len(fired) == 2


def test_only_wake_when_only_wake_is_chosen() -> None:
    clock, fired = ManualClock(), []
    watch = PollSessionWatch(["wake"], 600, fired.append, None, clock=clock)
    clock.sleep(120)
    watch.look()
    assert fired == [{"event": "wake", "slept": 120}]


@pytest.mark.xdisplay
def test_idle_fires_once_per_stretch_without_input_on_a_real_display(desk: Desk) -> None:
    fired: list[dict[str, Any]] = []
    x11 = backend()
    x11.press(["shift"], 0.01)  # input now: idle counts from here
    watch = PollSessionWatch(["idle"], 1.0, fired.append, x11.idle_seconds, every=0.1)
    watch.start()
    try:
        assert wait_for(lambda: fired, 5), "idle did not fire"
        assert fired[0]["event"] == "idle" and fired[0]["idle"] >= 1
        time.sleep(0.5)
        assert len(fired) == 1  # still idle: not again
        x11.press(["shift"], 0.01)
        time.sleep(0.3)
        assert len(fired) == 1  # input: idle starts over
        assert wait_for(lambda: len(fired) == 2, 5)
    finally:
        watch.stop()
