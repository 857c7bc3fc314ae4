"""What the Desktop blocks share: the backend, numbers and durations from parameters, windows picked by app/title.

Not a block module (its name starts with ``_``). Nothing here imports a desktop library until a block runs.
"""

from __future__ import annotations

import time
from typing import Any

from engine.desktop.base import Rect, WindowInfo
from engine.errors import StepError
from engine.model.durations import parse_duration
from engine.registry import Kind, Param
from engine.registry.context import StepContext

CATEGORY = "Desktop"
WAIT_POLL = 0.2  # seconds between two looks at the windows or the screen while waiting


def desk() -> Any:
    from engine.desktop import backend

    return backend()


def whole(value: Any, what: str) -> int:
    """A whole number from a parameter (an expression may give text or a float)."""
    if isinstance(value, bool):
        raise StepError(f"{what}: expected a whole number, got {value!r}", kind="value")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise StepError(f"{what}: expected a whole number, got {value!r}", kind="value") from None
    if number != number or abs(number) > 10**9:
        raise StepError(f"{what}: {value!r} is not a usable screen coordinate or count", kind="value")
    return round(number)


def seconds(value: Any, what: str) -> float:
    try:
        return parse_duration(value, what)
    except ValueError as exc:
        raise StepError(f"{what}: {exc}", kind="value") from None


def window_params(purpose: str) -> list[Param]:
    """``app`` and ``title``: which window (globs, case-insensitive)."""
    return [
        Param(
            "app", Kind.TEXT, default="", help=f"{purpose}: the program's name (X11 WM_CLASS), e.g. firefox; * works."
        ),
        Param("title", Kind.TEXT, default="", help=f"{purpose}: its title, a pattern like '*Invoice*'."),
    ]


def describe(app: str, title: str) -> str:
    parts = [f"app '{app}'" if app else "", f"title '{title}'" if title else ""]
    return " and ".join(p for p in parts if p) or "any window"


def matching(app: str, title: str) -> list[WindowInfo]:
    """Windows that fit, the focused one first."""
    found = [w for w in desk().windows() if w.matches(str(app or ""), str(title or ""))]
    return sorted(found, key=lambda w: not w.focused)


def window(app: Any, title: Any) -> WindowInfo:
    """The window ``app``/``title`` name (the focused one when several fit), or a StepError listing the open ones."""
    if not app and not title:
        raise StepError("name the window: give its app or its title (or both)", kind="value")
    found = matching(str(app or ""), str(title or ""))
    if found:
        return found[0]
    shown = "; ".join(f"{w.app}: {w.title!r}" for w in desk().windows()[:8]) or "none"
    raise StepError(f"no window with {describe(str(app or ''), str(title or ''))} is open (open: {shown})", "value")


def wait_for(ctx: StepContext, check: Any, timeout: float) -> Any:
    """``check()`` until it gives something truthy or ``timeout`` seconds pass (None then); obeys cancel."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() >= deadline:
            return found
        ctx.check_cancelled()
        time.sleep(min(WAIT_POLL, max(0.0, deadline - time.monotonic())))


def point(x: Any, y: Any, app: Any, title: Any) -> tuple[int, int]:
    """Screen coordinates: (x, y) as given, or from the top left of the window ``app``/``title`` name."""
    px, py = whole(x, "x"), whole(y, "y")
    if app or title:
        w = window(app, title)
        return w.rect.x + px, w.rect.y + py
    return px, py


def region(x: Any, y: Any, width: Any, height: Any, app: Any, title: Any) -> Rect | None:
    """The area a screen block looks at: a window, a region (inside the window when both are given), or None."""
    base = window(app, title).rect if app or title else None
    if width in (None, "", 0) and height in (None, "", 0):
        return base
    rect = Rect(whole(x or 0, "x"), whole(y or 0, "y"), whole(width, "width"), whole(height, "height"))
    if rect.width <= 0 or rect.height <= 0:
        raise StepError(f"the region's width and height must be above 0, got {rect.width}x{rect.height}", "value")
    return Rect(rect.x + base.x, rect.y + base.y, rect.width, rect.height) if base else rect


def region_params() -> list[Param]:
    return [
        Param("x", Kind.INTEGER, default=0, help="Left of the region (from the window's left when one is named)."),
        Param("y", Kind.INTEGER, default=0, help="Top of the region."),
        Param("width", Kind.INTEGER, default=0, minimum=0, help="Width of the region; 0: the whole window or screen."),
        Param(
            "height", Kind.INTEGER, default=0, minimum=0, help="Height of the region; 0: the whole window or screen."
        ),
    ]
