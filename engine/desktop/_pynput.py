"""Keyboard and mouse through pynput, shared by the Windows and macOS backends, and the one map from
engine.desktop.keys names to pynput's keys (the hotkey trigger's ``<ctrl>+<alt>+r`` too).

Run in Flowdeck's tests on Linux, where pynput drives X11 through python-xlib and XTEST
(tests/engine/desktop/test_pynput.py types into a real window under Xvfb). pynput's Windows (SendInput) and
macOS (Quartz events) back ends, which these same lines reach there, were NOT RUN.
"""

from __future__ import annotations

import time
from typing import Any

from engine.desktop.base import DesktopUnavailable
from engine.desktop.keys import Combo

_SPECIAL = {
    "ctrl": "ctrl", "alt": "alt", "shift": "shift", "super": "cmd", "enter": "enter", "tab": "tab", "esc": "esc",
    "space": "space", "backspace": "backspace", "delete": "delete", "insert": "insert", "home": "home", "end": "end",
    "pageup": "page_up", "pagedown": "page_down", "left": "left", "right": "right", "up": "up", "down": "down",
    "printscreen": "print_screen", "menu": "menu", "capslock": "caps_lock",
}  # fmt: skip
_BUTTONS = {"left": "left", "middle": "middle", "right": "right"}


def key_attr(name: str) -> str | None:
    """pynput's ``Key`` attribute for an engine.desktop.keys name (``pageup`` -> ``page_up``); None for a
    character key (a letter, digit or punctuation), which pynput names by the character itself."""
    if name in _SPECIAL:
        return _SPECIAL[name]
    if name.startswith("f") and name[1:].isdigit():
        return name
    return None


def hotkey_spec(combo: Combo) -> str:
    """The combination in pynput's ``HotKey.parse`` syntax: ``<ctrl>+<alt>+r``."""
    return "+".join(f"<{attr}>" if (attr := key_attr(k)) else k for k in combo.keys)


def load() -> tuple[Any, Any]:
    """pynput's keyboard and mouse modules, imported on first use (one line when they cannot be)."""
    try:
        from pynput import keyboard, mouse
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "pynput":
            raise
        from engine.desktop import missing

        raise missing("pynput", "the Desktop keyboard and mouse blocks and the hotkey trigger") from None
    except ImportError as exc:  # pynput found no desktop to bind to (on Linux: no X display)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DesktopUnavailable(f"pynput cannot reach the desktop: {first}") from None
    return keyboard, mouse


class PynputInput:
    def __init__(self) -> None:
        self._keyboard, self._mouse = load()
        self.keys, self.mouse = self._keyboard.Controller(), self._mouse.Controller()

    def _key(self, name: str) -> Any:
        attr = key_attr(name)
        if attr is None:
            return self._keyboard.KeyCode.from_char(name)
        key = getattr(self._keyboard.Key, attr, None)  # pynput has f1-f20 only; macOS has no insert, menu
        if key is None:
            raise DesktopUnavailable(f"the keyboard has no '{name}' key here")
        return key

    def _button(self, name: str) -> Any:
        return getattr(self._mouse.Button, _BUTTONS[name])

    def type_text(self, text: str, delay: float) -> None:
        for ch in text:
            self.keys.type(ch)
            time.sleep(delay)

    def press(self, keys: list[str], delay: float) -> None:
        pressed = [self._key(k) for k in keys]
        for key in pressed:
            self.keys.press(key)
            time.sleep(delay)
        for key in reversed(pressed):
            self.keys.release(key)

    def move(self, x: int, y: int) -> None:
        self.mouse.position = (x, y)

    def click(self, x: int, y: int, button: str, count: int) -> None:
        """``count`` clicks a moment apart, as the X11 backend makes them: pynput's own ``click(count)`` sends the
        presses back to back, and on X11 under openbox the second press of a double-click was lost now and then."""
        which = self._button(button)
        self.move(x, y)
        for i in range(count):
            if i:
                time.sleep(0.03)  # well inside any double-click interval
            self.mouse.press(which)
            self.mouse.release(which)

    def drag(self, x: int, y: int, to_x: int, to_y: int, button: str, duration: float) -> None:
        which = self._button(button)
        self.move(x, y)
        self.mouse.press(which)
        steps = max(2, int(duration / 0.02))
        for i in range(1, steps + 1):
            self.move(round(x + (to_x - x) * i / steps), round(y + (to_y - y) * i / steps))
            time.sleep(duration / steps)
        self.mouse.release(which)

    def scroll(self, x: int, y: int, dx: int, dy: int) -> None:
        self.move(x, y)
        self.mouse.scroll(dx, -dy)  # pynput: positive dy scrolls up
