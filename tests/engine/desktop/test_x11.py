"""The X11 backend against a real Tk window under Xvfb + openbox: what it types and clicks arrives, windows obey."""

from __future__ import annotations

import time

import pytest

from engine.desktop import backend
from engine.desktop.base import Rect
from tests.support.desk import Probe

pytestmark = pytest.mark.xdisplay


def _until(check, timeout: float = 3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    return check()


def test_typed_text_keys_clicks_scroll_and_drag_reach_the_window(probe: Probe) -> None:
    b = backend()
    x, y = probe.origin
    b.type_text("Hi there! é€", 0.002)  # é is on no key of the US map, € neither: both bound to a spare key
    assert probe.expect("text Hi there! é€") == "text Hi there! é€"
    b.press(["ctrl", "s"], 0.01)
    assert probe.expect("key s").split()[2] == "4"  # the Control bit of the key event's state
    b.click(x + 50, y + 60, "left", 1)
    assert probe.expect("click") == "click 1 50 60"
    b.click(x + 70, y + 80, "left", 2)
    assert probe.expect("double") == "double 70 80"
    b.click(x + 20, y + 30, "right", 1)
    assert probe.expect("click 3") == "click 3 20 30"
    b.scroll(x + 50, y + 60, 0, -1)
    assert probe.expect("scroll") == "scroll up"
    b.drag(x + 10, y + 10, x + 200, y + 90, "left", 0.1)
    assert probe.expect("drag") == "drag 10 10 200 90"


def test_windows_are_listed_moved_minimised_and_closed(probe: Probe) -> None:
    b = backend()
    [window] = [w for w in b.windows() if w.matches(app="flowprobe", title="*probe")]
    assert window.title == "Flowdeck probe" and window.app_class == "Flowprobe"
    assert (window.rect.width, window.rect.height) == (420, 300) and window.focused
    b.move_resize(window, Rect(300, 200, 500, 350))
    moved = _until(lambda: [w for w in b.windows() if w.id == window.id and w.rect == Rect(300, 200, 500, 350)])
    assert moved, b.windows()
    b.set_state(window, "maximize")
    assert _until(lambda: [w for w in b.windows() if w.id == window.id and w.rect.width > 1000])
    b.set_state(window, "minimize")
    assert _until(lambda: b.active_id() != window.id)
    b.close(window)
    assert probe.proc.wait(5) == 0  # Tk's WM_DELETE_WINDOW default: the program ends
    assert not [w for w in b.windows() if w.id == window.id]
