"""Keyboard and mouse through pynput, shared by the Windows and macOS backends.

NOT RUN in Flowdeck's tests (they run on Linux/X11 only); written against pynput 1.7's documented API.
"""

from __future__ import annotations

import time
from typing import Any

from engine.desktop import missing

try:
    from pynput import keyboard, mouse
except ImportError:  # pragma: no cover
    raise missing("pynput", "the Desktop keyboard and mouse blocks") from None

_SPECIAL = {
    "ctrl": "ctrl", "alt": "alt", "shift": "shift", "super": "cmd", "enter": "enter", "tab": "tab", "esc": "esc",
    "space": "space", "backspace": "backspace", "delete": "delete", "insert": "insert", "home": "home", "end": "end",
    "pageup": "page_up", "pagedown": "page_down", "left": "left", "right": "right", "up": "up", "down": "down",
    "printscreen": "print_screen", "menu": "menu", "capslock": "caps_lock",
}  # fmt: skip
_BUTTONS = {"left": "left", "middle": "middle", "right": "right"}


class PynputInput:
    def __init__(self) -> None:
        self.keys, self.mouse = keyboard.Controller(), mouse.Controller()

    @staticmethod
    def _key(name: str) -> Any:
        if name in _SPECIAL:
            return getattr(keyboard.Key, _SPECIAL[name])
        if name.startswith("f") and name[1:].isdigit():
            return getattr(keyboard.Key, name)
        return keyboard.KeyCode.from_char(name)

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
        self.move(x, y)
        self.mouse.click(getattr(mouse.Button, _BUTTONS[button]), count)

    def drag(self, x: int, y: int, to_x: int, to_y: int, button: str, duration: float) -> None:
        which = getattr(mouse.Button, _BUTTONS[button])
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
