"""The macOS backend: pynput for input, Quartz window lists (pyobjc) for windows, mss for the screen, AppKit's
NSPasteboard (pyobjc-framework-Cocoa, which Quartz's pyobjc needs anyway) for the clipboard.

NOT RUN in Flowdeck's tests (no Mac here): every line of this class; the input it inherits
(engine.desktop._pynput) is run on Linux. The clipboard is read through NSPasteboard rather than ``pbpaste``:
its ``changeCount`` tells a watcher polling twice a second that nothing changed without starting a process.

Quartz lists windows but cannot move, minimise or close another program's window; those need the Accessibility
API and are refused with a clear message. Flowdeck (or the terminal running it) must be allowed under System
Settings > Privacy & Security > Accessibility and Screen Recording.
"""

from __future__ import annotations

import subprocess
from typing import Any

from engine.desktop import missing
from engine.desktop._pynput import PynputInput
from engine.desktop.base import DesktopUnavailable, Rect, WindowInfo

try:
    import Quartz
except ImportError:  # pragma: no cover
    raise missing("pyobjc-framework-Quartz", "the Desktop window blocks on macOS") from None


class MacBackend(PynputInput):
    name = "macos"

    def windows(self) -> list[WindowInfo]:
        options = Quartz.kCGWindowListOptionOnScreenOnly | Quartz.kCGWindowListExcludeDesktopElements
        out = []
        for w in Quartz.CGWindowListCopyWindowInfo(options, Quartz.kCGNullWindowID) or []:
            if w.get("kCGWindowLayer", 0) != 0:
                continue  # menu bar, dock, overlays
            b = w.get("kCGWindowBounds", {})
            rect = Rect(int(b.get("X", 0)), int(b.get("Y", 0)), int(b.get("Width", 0)), int(b.get("Height", 0)))
            title, owner = str(w.get("kCGWindowName") or ""), str(w.get("kCGWindowOwnerName") or "")
            out.append(WindowInfo(int(w["kCGWindowNumber"]), title, owner, int(w.get("kCGWindowOwnerPID", 0)), rect))
        return out

    def activate(self, window: WindowInfo) -> None:
        script = (
            'tell application "System Events" to set frontmost of '
            f"(first process whose unix id is {window.pid}) to true"
        )
        subprocess.run(["osascript", "-e", script], check=False, capture_output=True, timeout=10)

    def _refuse(self, what: str) -> None:
        raise DesktopUnavailable(f"{what} another program's window is not supported on macOS yet")

    def move_resize(self, window: WindowInfo, rect: Rect) -> None:
        self._refuse("moving or resizing")

    def set_state(self, window: WindowInfo, state: str) -> None:
        self._refuse("minimising or maximising")

    def close(self, window: WindowInfo) -> None:
        self._refuse("closing")

    def screen(self) -> Rect:
        b = Quartz.CGDisplayBounds(Quartz.CGMainDisplayID())
        return Rect(int(b.origin.x), int(b.origin.y), int(b.size.width), int(b.size.height))

    def clipboard_text(self) -> str:
        appkit, objc = _appkit()
        with objc.autorelease_pool():  # read on a watcher's thread, which has no pool of its own
            text = appkit.NSPasteboard.generalPasteboard().stringForType_(appkit.NSPasteboardTypeString)
            return str(text) if text is not None else ""

    def clipboard_serial(self) -> int | None:
        appkit, objc = _appkit()
        with objc.autorelease_pool():
            return int(appkit.NSPasteboard.generalPasteboard().changeCount())

    def idle_seconds(self) -> float:
        """Seconds since the last key or mouse input in this login session."""
        return float(Quartz.CGEventSourceSecondsSinceLastEventType(
            Quartz.kCGEventSourceStateCombinedSessionState, Quartz.kCGAnyInputEventType))  # fmt: skip


def _appkit() -> tuple[Any, Any]:
    try:
        import AppKit
        import objc
    except ImportError:
        raise missing("pyobjc-framework-Cocoa", "the clipboard trigger on macOS") from None
    return AppKit, objc
