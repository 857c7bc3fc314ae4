"""The desktop as a place to automate: keyboard, mouse, windows, screen, and desktop triggers.

``backend()`` gives this platform's backend (engine.desktop.base.Backend). Nothing here imports a platform library at
``import engine`` time: python-xlib, mss, Pillow, pywinauto... are loaded by the first block or trigger that needs them.
"""

from __future__ import annotations

import os
import sys
import threading

from engine.desktop.base import Backend, DesktopUnavailable, Rect, WindowInfo

__all__ = ["Backend", "DesktopUnavailable", "Rect", "WindowInfo", "backend", "missing", "wayland_problem"]

WAYLAND = (
    "this is a Wayland session: global keyboard and mouse input, screen capture, other programs' windows and global "
    "hotkeys are only reachable through the desktop portals there, which Flowdeck does not use yet. The Desktop "
    "blocks and the hotkey, window and clipboard triggers need an X11 session (at the login screen choose e.g. "
    "'GNOME on Xorg'); the session and device triggers and the ask blocks work on Wayland too"
)
EXTRA = "pip install 'flowdeck[desktop]'"

_lock = threading.Lock()
_made: dict[str, Backend] = {}


def missing(module: str, what: str) -> DesktopUnavailable:
    """The error for a desktop library that is not installed."""
    return DesktopUnavailable(f"{what} needs the Python package '{module}', which is not installed ({EXTRA})")


def wayland_problem() -> str | None:
    """Why the X11 backend cannot work here (a Wayland session without an X display), or None."""
    if sys.platform in ("win32", "darwin"):
        return None
    if os.environ.get("DISPLAY"):
        if os.environ.get("XDG_SESSION_TYPE") == "wayland" or os.environ.get("WAYLAND_DISPLAY"):
            return None if os.environ.get("FLOWDECK_XWAYLAND") else WAYLAND
        return None
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("XDG_SESSION_TYPE") == "wayland":
        return WAYLAND
    return "there is no desktop here (no DISPLAY): the Desktop blocks need a graphical session"


def backend() -> Backend:
    """This platform's backend, made once per process (DesktopUnavailable with one line when there is none)."""
    key = f"{sys.platform}{os.environ.get('DISPLAY', '')}"  # a backend is bound to one X display
    with _lock:
        if key not in _made:
            _made[key] = _make()
        return _made[key]


def _make() -> Backend:
    if sys.platform == "win32":
        from engine.desktop.win import WindowsBackend  # not run in Flowdeck's tests (no Windows here)

        return WindowsBackend()
    if sys.platform == "darwin":
        from engine.desktop.mac import MacBackend  # not run in Flowdeck's tests (no macOS here)

        return MacBackend()
    problem = wayland_problem()
    if problem:
        raise DesktopUnavailable(problem)
    from engine.desktop.x11 import X11Backend

    return X11Backend(os.environ["DISPLAY"])
