"""Desktop blocks that type and click: the keyboard and the mouse (engine.desktop backends)."""

from __future__ import annotations

from typing import Any

from engine.blocks._common import text_of
from engine.blocks._desktop import CATEGORY, desk, point, seconds, whole, window_params
from engine.desktop.base import BUTTONS
from engine.desktop.keys import parse_combo
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

_XY = [
    Param("x", Kind.INTEGER, required=True, help="Pixels from the left of the screen (or of the window named below)."),
    Param("y", Kind.INTEGER, required=True, help="Pixels from the top; {{ steps.find.y }} clicks a found image."),
]
_RELATIVE = window_params("Coordinates relative to this window (optional)")
_DIRECTIONS = ("down", "up", "left", "right")


@block(
    "keys.type",
    title="Type text",
    category=CATEGORY,
    icon="keyboard",
    help="Type a text into the window that has the focus, as if on the keyboard. Activate the window first.",
    params=[
        Param("text", Kind.MULTILINE, required=True, help="What to type; a new line presses Enter."),
        Param("delay", Kind.DURATION, default="10ms", help="Pause after each character (slow programs need more)."),
    ],
    outputs=[Output("text", "what was typed")],
)
def keys_type(ctx: StepContext, text: Any, delay: Any = "10ms") -> dict[str, Any]:
    value = text_of(text)
    desk().type_text(value, seconds(delay, "delay"))
    return {"text": value}


@block(
    "keys.press",
    title="Press keys",
    category=CATEGORY,
    icon="keyboard",
    help="Press a key or a combination (ctrl+s, alt+f4, super+e, enter) in the window that has the focus.",
    params=[
        Param("keys", Kind.TEXT, required=True, placeholder="ctrl+shift+t", help="Keys joined with +, e.g. ctrl+s."),
        Param("delay", Kind.DURATION, default="20ms", help="Pause between pressing each key of the combination."),
        Param("times", Kind.INTEGER, default=1, minimum=1, maximum=1000, help="How many times to press it."),
    ],
    outputs=[Output("keys", "the combination as pressed, e.g. ctrl+s")],
)
def keys_press(ctx: StepContext, keys: Any, delay: Any = "20ms", times: Any = 1) -> dict[str, Any]:
    try:
        combo = parse_combo(text_of(keys))
    except ValueError as exc:
        raise StepError(f"keys: {exc}", kind="value") from None
    pause = seconds(delay, "delay")
    for _ in range(max(1, whole(times, "times"))):
        ctx.check_cancelled()
        desk().press(combo.keys, pause)
    return {"keys": str(combo)}


def _button(button: Any) -> str:
    if button not in BUTTONS:
        raise StepError(f"button: expected one of {', '.join(BUTTONS)}, got {button!r}", kind="value")
    return str(button)


@block(
    "mouse.move",
    title="Move mouse",
    category=CATEGORY,
    icon="mouse",
    help="Move the mouse pointer to a place on the screen or in a window.",
    params=[*_XY, *_RELATIVE],
    outputs=[Output("x", "screen x"), Output("y", "screen y")],
)
def mouse_move(ctx: StepContext, x: Any, y: Any, app: Any = "", title: Any = "") -> dict[str, Any]:
    sx, sy = point(x, y, app, title)
    desk().move(sx, sy)
    return {"x": sx, "y": sy}


@block(
    "mouse.click",
    title="Click",
    category=CATEGORY,
    icon="mouse",
    help="Click (or double-click) a mouse button at a place on the screen or in a window.",
    params=[
        *_XY,
        Param("button", Kind.CHOICE, default="left", choices=BUTTONS, help="Which button."),
        Param("count", Kind.INTEGER, default=1, minimum=1, maximum=3, help="1 click, 2 a double-click, 3 a triple."),
        *_RELATIVE,
    ],
    outputs=[Output("x", "screen x"), Output("y", "screen y")],
)
def mouse_click(
    ctx: StepContext, x: Any, y: Any, button: Any = "left", count: Any = 1, app: Any = "", title: Any = ""
) -> dict[str, Any]:
    sx, sy = point(x, y, app, title)
    desk().click(sx, sy, _button(button), max(1, whole(count, "count")))
    return {"x": sx, "y": sy}


@block(
    "mouse.drag",
    title="Drag",
    category=CATEGORY,
    icon="mouse",
    help="Press a mouse button at one place, move to another and let go (drag and drop, selecting).",
    params=[
        *_XY,
        Param("to_x", Kind.INTEGER, required=True, help="Where to let go: x (same reference as x)."),
        Param("to_y", Kind.INTEGER, required=True, help="Where to let go: y."),
        Param("button", Kind.CHOICE, default="left", choices=BUTTONS, help="Which button is held."),
        Param("duration", Kind.DURATION, default="300ms", help="How long the move takes."),
        *_RELATIVE,
    ],
    outputs=[Output("x"), Output("y"), Output("to_x"), Output("to_y")],
)
def mouse_drag(
    ctx: StepContext,
    x: Any,
    y: Any,
    to_x: Any,
    to_y: Any,
    button: Any = "left",
    duration: Any = "300ms",
    app: Any = "",
    title: Any = "",
) -> dict[str, Any]:
    sx, sy = point(x, y, app, title)
    ex, ey = sx + whole(to_x, "to_x") - whole(x, "x"), sy + whole(to_y, "to_y") - whole(y, "y")
    desk().drag(sx, sy, ex, ey, _button(button), seconds(duration, "duration"))
    return {"x": sx, "y": sy, "to_x": ex, "to_y": ey}


@block(
    "mouse.scroll",
    title="Scroll",
    category=CATEGORY,
    icon="mouse",
    help="Turn the mouse wheel at a place on the screen or in a window.",
    params=[
        *_XY,
        Param("direction", Kind.CHOICE, default="down", choices=_DIRECTIONS, help="Which way."),
        Param("amount", Kind.INTEGER, default=3, minimum=1, maximum=1000, help="How many notches of the wheel."),
        *_RELATIVE,
    ],
    outputs=[Output("x"), Output("y")],
)
def mouse_scroll(
    ctx: StepContext, x: Any, y: Any, direction: Any = "down", amount: Any = 3, app: Any = "", title: Any = ""
) -> dict[str, Any]:
    if direction not in _DIRECTIONS:
        raise StepError(f"direction: expected one of {', '.join(_DIRECTIONS)}, got {direction!r}", kind="value")
    sx, sy = point(x, y, app, title)
    n = max(1, whole(amount, "amount"))
    dx, dy = {"down": (0, n), "up": (0, -n), "right": (n, 0), "left": (-n, 0)}[str(direction)]
    desk().scroll(sx, sy, dx, dy)
    return {"x": sx, "y": sy}
