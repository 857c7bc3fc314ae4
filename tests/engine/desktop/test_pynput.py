"""pynput, the keyboard and mouse of the Windows and macOS backends and their hotkey trigger, run for real on its
X11 back end: against the Tk probe window under Xvfb + openbox, hotkeys pressed with XTEST."""

from __future__ import annotations

import time

import pytest

from engine.desktop import backend
from engine.desktop._pynput import PynputInput, hotkey_spec, load
from engine.desktop.base import DesktopUnavailable
from engine.desktop.keys import MODIFIERS, NAMED, Combo, parse_combo
from engine.desktop.pynput_watch import PynputHotkeyWatch
from tests.engine.scheduling.helpers import wait_for
from tests.support.desk import Desk, Probe
from tests.support.xdisplay import start_xvfb


def test_key_names_map_to_pynputs_hotkey_syntax() -> None:
    cases = {"Ctrl+Alt+R": "<ctrl>+<alt>+r", "win+pgup": "<cmd>+<page_up>", "shift+F5": "<shift>+<f5>",
             "ctrl+/": "<ctrl>+/", "alt+printscreen": "<alt>+<print_screen>", "super": "<cmd>"}  # fmt: skip
    assert {text: hotkey_spec(parse_combo(text)) for text in cases} == cases


@pytest.mark.xdisplay
def test_pynput_parses_every_key_name_but_f21_to_f24(desk: Desk) -> None:
    keyboard = load()[0]
    refused = []
    for name in (*NAMED, *MODIFIERS[1:], "a", "7", "/", "`"):
        try:
            keyboard.HotKey.parse(hotkey_spec(Combo(("ctrl",), name)))
        except ValueError:
            refused.append(name)
    assert refused == ["f21", "f22", "f23", "f24"]  # pynput names F1-F20 only
    with pytest.raises(DesktopUnavailable, match="ctrl\\+f22 cannot be watched here"):
        PynputHotkeyWatch("ctrl+f22", print)


@pytest.mark.xdisplay
def test_pynput_types_presses_clicks_scrolls_and_drags_into_a_real_window(probe: Probe) -> None:
    p = PynputInput()
    x, y = probe.origin
    p.type_text("Hi there, é 42!", 0.005)  # é is on no key of the US map: pynput binds it for the press
    assert probe.expect("text Hi there, é 42!") == "text Hi there, é 42!"
    p.press(["ctrl", "s"], 0.01)
    assert probe.expect("key s").split()[2] == "4"  # the Control bit of the key event's state
    p.click(x + 50, y + 60, "left", 1)
    assert probe.expect("click") == "click 1 50 60"
    p.click(x + 70, y + 80, "left", 2)
    assert probe.expect("double") == "double 70 80"
    p.click(x + 20, y + 30, "right", 1)
    assert probe.expect("click 3") == "click 3 20 30"
    p.scroll(x + 50, y + 60, 0, -1)
    assert probe.expect("scroll") == "scroll up"
    p.drag(x + 10, y + 10, x + 200, y + 90, "left", 0.1)
    assert probe.expect("drag") == "drag 10 10 200 90"


def _hold(keys: list[str], seconds: float) -> None:
    """Press ``keys`` with XTEST, hold them ``seconds``, release them (as a person holding a shortcut)."""
    from Xlib import X  # here: the key-name test above runs on Windows and macOS CI too, without python-xlib
    from Xlib.ext import xtest

    b = backend()
    codes = [b.keycode(k) for k in keys]
    for code in codes:
        xtest.fake_input(b.d, X.KeyPress, code)
        b.d.sync()
        time.sleep(0.01)
    time.sleep(seconds)
    for code in reversed(codes):
        xtest.fake_input(b.d, X.KeyRelease, code)
    b.d.sync()


@pytest.mark.xdisplay
def test_a_hotkey_pressed_with_xtest_fires_exactly_once_per_press_and_not_after_stop(desk: Desk) -> None:
    got: list[dict] = []
    watch = PynputHotkeyWatch("ctrl+alt+r", got.append)
    watch.start()
    try:
        b = backend()
        b.press(["ctrl", "alt", "t"], 0.01)  # other combinations: nothing
        b.press(["ctrl", "r"], 0.01)
        b.press(["ctrl", "alt", "r"], 0.01)
        assert wait_for(lambda: got, 5), "the hotkey did not fire"
        _hold(["ctrl", "alt", "r"], 1.2)  # held past the auto-repeat delay: still one
        assert wait_for(lambda: len(got) == 2, 5), got
        time.sleep(0.3)
        assert got == [{"keys": "ctrl+alt+r"}, {"keys": "ctrl+alt+r"}]
    finally:
        watch.stop()
    b.press(["ctrl", "alt", "r"], 0.01)
    time.sleep(0.3)
    assert len(got) == 2  # stopped: no more runs


@pytest.mark.xdisplay
def test_named_keys_and_super_fire_through_the_mapping(desk: Desk) -> None:
    got: list[dict] = []
    watches = [PynputHotkeyWatch(keys, got.append) for keys in ("shift+f5", "super+pageup", "ctrl+/")]
    for w in watches:
        w.start()
    try:
        for keys in (["shift", "f5"], ["super", "pageup"], ["ctrl", "/"]):
            backend().press(keys, 0.01)
        assert wait_for(lambda: len(got) == 3, 5), got
        assert [g["keys"] for g in got] == ["shift+f5", "super+pageup", "ctrl+/"]
    finally:
        for w in watches:
            w.stop()


@pytest.mark.xdisplay
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # its X error, on its thread
def test_a_display_pynput_cannot_watch_is_one_line_not_a_hang(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    bare = start_xvfb("640x480x24", "-extension", "RECORD")  # pynput's X11 listener needs the RECORD extension
    try:
        monkeypatch.setenv("DISPLAY", bare.display)
        started = time.monotonic()
        with pytest.raises(DesktopUnavailable) as caught:
            PynputHotkeyWatch("ctrl+alt+r", print)
        assert time.monotonic() - started < 3
        assert str(caught.value) == "pynput could not watch the keyboard: it ended as it started"
    finally:
        bare.proc.terminate()
        bare.proc.wait(10)
