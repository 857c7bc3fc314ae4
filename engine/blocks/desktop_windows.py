"""Desktop blocks for application windows: list, wait for, activate, move/resize, minimise/maximise, close."""

from __future__ import annotations

from typing import Any

from engine.blocks._desktop import CATEGORY, describe, desk, matching, seconds, wait_for, whole, window, window_params
from engine.desktop.base import WINDOW_STATES, Rect
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

_WHICH = window_params("Which window")
_WINDOW_OUT = [Output("window", "the window: app, title, pid, x, y, width, height, id")]
_UNTIL = ("open", "focused", "closed")


@block(
    "window.list",
    title="List windows",
    category=CATEGORY,
    icon="window",
    help="The open application windows (optionally only those of an app or with a title), the focused one first.",
    params=window_params("Only windows that fit (optional)"),
    outputs=[Output("windows", "a list of windows: app, title, pid, x, y, width, height, focused"), Output("count")],
)
def window_list(ctx: StepContext, app: Any = "", title: Any = "") -> dict[str, Any]:
    found = [w.as_dict() for w in matching(str(app or ""), str(title or ""))]
    return {"windows": found, "count": len(found)}


@block(
    "window.wait",
    title="Wait for window",
    category=CATEGORY,
    icon="window",
    help="Wait until a window is open, has the focus, or is closed; fails after the timeout.",
    params=[
        *_WHICH,
        Param("until", Kind.CHOICE, default="open", choices=_UNTIL, help="What to wait for."),
        Param("timeout", Kind.DURATION, default="30s", help="How long to wait at most."),
    ],
    outputs=_WINDOW_OUT,
    summary="title",
)
def window_wait(
    ctx: StepContext, app: Any = "", title: Any = "", until: Any = "open", timeout: Any = "30s"
) -> dict[str, Any]:
    if until not in _UNTIL:
        raise StepError(f"until: expected one of {', '.join(_UNTIL)}, got {until!r}", kind="value")
    if not app and not title:
        raise StepError("name the window: give its app or its title (or both)", kind="value")
    app, title = str(app or ""), str(title or "")
    limit = seconds(timeout, "timeout")

    def check() -> Any:
        found = matching(app, title)
        if until == "closed":
            return {"window": None} if not found else None
        if until == "focused":
            found = [w for w in found if w.focused]
        return {"window": found[0].as_dict()} if found else None

    result = wait_for(ctx, check, limit)
    if result is None:
        state = {"open": "opened", "focused": "got the focus", "closed": "closed"}[str(until)]
        raise StepError(f"no window with {describe(app, title)} {state} within {limit:g} s", kind="timeout")
    return result


@block(
    "window.activate",
    title="Activate window",
    category=CATEGORY,
    icon="window",
    help="Bring a window to the front and give it the keyboard focus (restores it when minimised).",
    params=_WHICH,
    outputs=_WINDOW_OUT,
    summary="title",
)
def window_activate(ctx: StepContext, app: Any = "", title: Any = "") -> dict[str, Any]:
    w = window(app, title)
    desk().activate(w)
    wait_for(ctx, lambda: any(x.focused for x in matching(w.app, w.title)), 2.0)
    return {"window": w.as_dict()}


@block(
    "window.move",
    title="Move/resize window",
    category=CATEGORY,
    icon="window",
    help="Move a window and/or change its size (screen pixels; leave a value empty to keep it).",
    params=[
        *_WHICH,
        Param("x", Kind.INTEGER, default=None, help="New left edge."),
        Param("y", Kind.INTEGER, default=None, help="New top edge."),
        Param("width", Kind.INTEGER, default=None, minimum=1, help="New width."),
        Param("height", Kind.INTEGER, default=None, minimum=1, help="New height."),
    ],
    outputs=_WINDOW_OUT,
    summary="title",
)
def window_move(
    ctx: StepContext,
    app: Any = "",
    title: Any = "",
    x: Any = None,
    y: Any = None,
    width: Any = None,
    height: Any = None,
) -> dict[str, Any]:
    w = window(app, title)
    r = w.rect

    def keep(value: Any, old: int, what: str) -> int:
        return old if value in (None, "") else whole(value, what)

    rect = Rect(keep(x, r.x, "x"), keep(y, r.y, "y"), keep(width, r.width, "width"), keep(height, r.height, "height"))
    desk().move_resize(w, rect)
    moved = wait_for(ctx, lambda: [m for m in matching(w.app, "") if m.id == w.id and m.rect == rect], 2.0)
    return {"window": (moved[0] if moved else w).as_dict()}


@block(
    "window.state",
    title="Minimise/maximise window",
    category=CATEGORY,
    icon="window",
    help="Minimise a window, maximise it, or restore it to its normal size.",
    params=[*_WHICH, Param("state", Kind.CHOICE, default="maximize", choices=WINDOW_STATES, help="What to do.")],
    outputs=_WINDOW_OUT,
    summary="title",
)
def window_state(ctx: StepContext, app: Any = "", title: Any = "", state: Any = "maximize") -> dict[str, Any]:
    if state not in WINDOW_STATES:
        raise StepError(f"state: expected one of {', '.join(WINDOW_STATES)}, got {state!r}", kind="value")
    w = window(app, title)
    desk().set_state(w, str(state))
    if state == "minimize":  # its place stays as it was: the window it gives is the one it had
        return {"window": w.as_dict()}
    changed = wait_for(ctx, lambda: [m for m in matching(w.app, "") if m.id == w.id and m.rect != w.rect], 2.0)
    return {"window": (changed[0] if changed else w).as_dict()}  # as it is after (or was: already in that state)


@block(
    "window.close",
    title="Close window",
    category=CATEGORY,
    icon="window",
    help="Ask a window to close, as its ✕ button does (the program may still ask to save first).",
    params=[*_WHICH, Param("wait", Kind.DURATION, default="5s", help="How long to wait for it to be gone.")],
    outputs=[*_WINDOW_OUT, Output("closed", "true when it was gone within the wait")],
    summary="title",
)
def window_close(ctx: StepContext, app: Any = "", title: Any = "", wait: Any = "5s") -> dict[str, Any]:
    w = window(app, title)
    desk().close(w)
    gone = wait_for(ctx, lambda: all(m.id != w.id for m in desk().windows()), seconds(wait, "wait"))
    return {"window": w.as_dict(), "closed": bool(gone)}
