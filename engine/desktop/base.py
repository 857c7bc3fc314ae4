"""The desktop backend interface: what the Desktop blocks and triggers need from a platform, with no platform in it.

A backend is picked by ``engine.desktop.backend()``; each platform's module imports its libraries only when it is
made, so ``import engine`` (and the headless CLI) never loads python-xlib, mss or pywinauto.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Protocol

from engine.errors import StepError

BUTTONS = ("left", "middle", "right")
WINDOW_STATES = ("minimize", "maximize", "restore")
CLIPBOARD_LIMIT = 1_000_000  # characters of clipboard text handed to a run: more is not passed on


class DesktopUnavailable(StepError):
    """The desktop cannot be reached: no display, a Wayland session, a missing library. One line, says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="host")


class HotkeyTaken(DesktopUnavailable):
    """Another program holds the key combination."""


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    width: int
    height: int

    def as_dict(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class WindowInfo:
    """A top-level application window as a person sees it in the task bar."""

    id: int
    title: str
    app: str  # the program's name: X11 WM_CLASS, the process name on Windows/macOS
    pid: int | None
    rect: Rect
    focused: bool = False
    app_class: str = ""  # X11's WM_CLASS class ("Firefox" beside "firefox"); matched too

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "app": self.app, "pid": self.pid, **self.rect.as_dict(),
                "focused": self.focused}  # fmt: skip

    def matches(self, app: str = "", title: str = "") -> bool:
        """Whether the window fits ``app`` and ``title`` (case-insensitive globs; empty matches everything)."""
        return (_glob(self.app, app) or (bool(app) and _glob(self.app_class, app))) and _glob(self.title, title)


def _glob(value: str, pattern: str) -> bool:
    if not pattern:
        return True
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())  # a name without * must match whole


class Backend(Protocol):
    """One platform's keyboard, mouse, windows and screen. Coordinates are screen pixels from the top left."""

    name: str

    def type_text(self, text: str, delay: float) -> None: ...

    def press(self, keys: list[str], delay: float) -> None:
        """Press ``keys`` (engine.desktop.keys names, modifiers first) together, then release them in reverse."""
        ...

    def move(self, x: int, y: int) -> None: ...

    def click(self, x: int, y: int, button: str, count: int) -> None: ...

    def drag(self, x: int, y: int, to_x: int, to_y: int, button: str, duration: float) -> None: ...

    def scroll(self, x: int, y: int, dx: int, dy: int) -> None:
        """Scroll ``dy`` notches down (negative: up) and ``dx`` right (negative: left) at (x, y)."""
        ...

    def windows(self) -> list[WindowInfo]: ...

    def activate(self, window: WindowInfo) -> None: ...

    def move_resize(self, window: WindowInfo, rect: Rect) -> None: ...

    def set_state(self, window: WindowInfo, state: str) -> None: ...

    def close(self, window: WindowInfo) -> None: ...

    def screen(self) -> Rect:
        """The whole desktop (all monitors together)."""
        ...

    def clipboard_text(self) -> str:
        """The text on the clipboard ("" when it holds none)."""
        ...

    def clipboard_serial(self) -> int | None:
        """A number that changes with every copy (Windows, macOS), so a watcher reads the text only then; None
        where the platform keeps no such number (X11), and a watcher compares the text."""
        ...

    def idle_seconds(self) -> float:
        """Seconds since the last key or mouse input (the session trigger's idle where it polls)."""
        ...
