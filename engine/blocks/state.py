"""State that persists between runs of one workflow: "only notify once", counters, "last seen"."""

from __future__ import annotations

from typing import Any

from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

CATEGORY = "State"
_KEY = Param("key", Kind.TEXT, required=True, help="The name to keep the value under (per workflow).")


def _key(key: Any) -> str:
    text = str(key or "").strip()
    if not text:
        raise StepError("key: give the name of the value", kind="value")
    return text


@block(
    "state.get",
    title="Get saved value",
    category=CATEGORY,
    icon="database",
    help="Read a value this workflow saved in an earlier run with state.set or state.increment. Saved values are "
    "kept per workflow file, shared by flowdeck run, the daemon and the app; 'flowdeck state' lists them and "
    "'flowdeck state WORKFLOW --clear' forgets them.",
    params=[_KEY, Param("default", Kind.ANY, default=None, help="The value when nothing was saved yet.")],
    outputs=[Output("value"), Output("found", "false when nothing was saved under the key")],
    summary="key",
)
def state_get(ctx: StepContext, key: str, default: Any = None) -> dict[str, Any]:
    # no sentinel default: in a run process the store is reached by calls, and a pickled sentinel comes back as a
    # copy that is never "missing". Nothing saved and a saved null are the same (state.set with null forgets the key).
    value = ctx.state.get(_key(key))
    return {"value": default if value is None else value, "found": value is not None}


@block(
    "state.set",
    title="Save value",
    category=CATEGORY,
    icon="database",
    help="Save a value for later runs of this workflow. 'changed' tells whether it differs from what was saved, "
    "which makes 'only notify once' easy: save the thing you would notify about and continue only if changed. "
    "An empty value (null) forgets the key. Values are kept as JSON (text, number, true/false, list, mapping).",
    params=[
        _KEY,
        Param("value", Kind.ANY, default=None, help="What to save (text, number, list, mapping).", main=True),
    ],
    outputs=[
        Output("value"),
        Output("previous", "what was saved before (null if nothing)"),
        Output("changed", "true when the value differs from the previous one"),
    ],
    summary="key",
)
def state_set(ctx: StepContext, key: str, value: Any = None) -> dict[str, Any]:
    name = _key(key)
    previous = ctx.state.get(name)
    if value is None:
        ctx.state.delete(name)
    else:
        ctx.state.set(name, value)
    return {"value": value, "previous": previous, "changed": previous != value}


@block(
    "state.increment",
    title="Count",
    category=CATEGORY,
    icon="database",
    help="Add to a saved counter (it starts at 0) and give its new value, e.g. how many times a check failed "
    "in a row; set 'reset' to start again from 0.",
    params=[
        _KEY,
        Param("by", Kind.NUMBER, default=1, help="How much to add (negative counts down)."),
        Param("reset", Kind.BOOL, default=False, help="Set the counter back to 0 instead."),
    ],
    outputs=[Output("value", "the counter after this step"), Output("previous")],
    summary="key",
)
def state_increment(ctx: StepContext, key: str, by: Any = 1, reset: bool = False) -> dict[str, Any]:
    name = _key(key)
    if isinstance(by, bool) or not isinstance(by, int | float):
        raise StepError(f"by: expected a number, got {by!r}", kind="value")
    increment = getattr(ctx.state, "increment", None)
    if increment is not None:  # one transaction: counts from runs in other processes add up
        previous, value = increment(name, by, bool(reset))
        return {"value": value, "previous": previous}
    previous = ctx.state.get(name, 0)  # a store without increment (a plain get/set store)
    if isinstance(previous, bool) or not isinstance(previous, int | float):
        raise StepError(f"the saved value '{name}' is {previous!r}, not a number; it cannot be counted", "value")
    value = 0 if reset else previous + by
    ctx.state.set(name, value)
    return {"value": value, "previous": previous}
