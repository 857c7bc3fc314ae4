"""Basic blocks: log a message, set variables."""

from __future__ import annotations

from typing import Any

from engine.blocks._common import text_of
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

LEVELS = ("debug", "info", "warning", "error")


@block(
    "log",
    title="Log",
    category="Messages",
    icon="log",
    help="Write a line to the run log. Handy to see a value while you build a workflow.",
    params=[
        Param("message", Kind.TEXT, required=True, help="What to write; may use {{ expressions }}."),
        Param("level", Kind.CHOICE, default="info", choices=LEVELS, help="How important the line is."),
    ],
    outputs=[Output("message", "the text that was logged")],
)
def log_message(ctx: StepContext, message: Any, level: str = "info") -> dict[str, Any]:
    if level not in LEVELS:
        raise StepError(f"level: expected one of {', '.join(LEVELS)}; got {level!r}", kind="value")
    text = text_of(message)  # lists and mappings read as JSON, not as Python reprs
    ctx.log(text, level)
    return {"message": text}


@block(
    "set",
    title="Set variables",
    category="Data",
    icon="set",
    help="Set workflow variables for the steps that follow: {{ vars.<name> }} reads them.",
    params=[
        Param(
            "values",
            Kind.MAPPING,
            required=True,
            help="Names and values, e.g. {count: 3, folder: '{{ trigger.path }}'}.",
        ),
    ],
    outputs=[Output("values", "the values that were set, also readable as {{ vars.<name> }}")],
)
def set_vars(ctx: StepContext, values: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise StepError(f"values: expected names and values (a mapping), got {values!r}", kind="value")
    bad = [k for k in values if not str(k).isidentifier()]
    if bad:
        raise StepError(f"values: '{bad[0]}' cannot be a variable name (use letters, digits and _)", kind="value")
    # The runtime merges the returned values into the run's vars (see engine.runtime).
    return {"values": dict(values)}
