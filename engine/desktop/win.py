"""The Windows backend: pynput for input, pywinauto (UI Automation) for windows, mss (in capture.py) for the screen,
ctypes over user32 for the clipboard and program names (engine.desktop._win32).

NOT RUN in Flowdeck's tests (no Windows machine here): every line of this class; written against pywinauto 0.6's
documented API. The input it inherits (engine.desktop._pynput) is run on Linux.
"""

from __future__ import annotations

from typing import Any

from engine.desktop import _win32, missing
from engine.desktop._pynput import PynputInput
from engine.desktop.base import Rect, WindowInfo

try:
    from pywinauto import Desktop
except ImportError:  # pragma: no cover
    raise missing("pywinauto", "the Desktop window blocks on Windows") from None


class WindowsBackend(PynputInput):
    name = "windows"

    def __init__(self) -> None:
        super().__init__()
        self._desktop = Desktop(backend="uia")

    def _wrapper(self, window: WindowInfo) -> Any:
        return self._desktop.window(handle=window.id).wrapper_object()

    def windows(self) -> list[WindowInfo]:
        out = []
        for w in self._desktop.windows(visible_only=True):
            r = w.rectangle()
            process = w.element_info.process_id
            out.append(WindowInfo(int(w.handle), w.window_text(), _win32.program_name(process), process,
                                  Rect(r.left, r.top, r.width(), r.height()), w.has_focus()))  # fmt: skip
        return out

    def activate(self, window: WindowInfo) -> None:
        self._wrapper(window).set_focus()

    def move_resize(self, window: WindowInfo, rect: Rect) -> None:
        self._wrapper(window).move_window(rect.x, rect.y, rect.width, rect.height)

    def set_state(self, window: WindowInfo, state: str) -> None:
        w = self._wrapper(window)
        {"minimize": w.minimize, "maximize": w.maximize}.get(state, w.restore)()

    def close(self, window: WindowInfo) -> None:
        self._wrapper(window).close()

    def screen(self) -> Rect:
        import mss

        with mss.mss() as shooter:
            m = shooter.monitors[0]
        return Rect(m["left"], m["top"], m["width"], m["height"])

    def clipboard_text(self) -> str:
        return _win32.clipboard_text()

    def clipboard_serial(self) -> int | None:
        return _win32.clipboard_serial()

    def idle_seconds(self) -> float:
        return _win32.idle_seconds()
