"""Basic blocks: log a message, set variables."""

from __future__ import annotations

from typing import Any

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
    text = message if isinstance(message, str) else repr(message)
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
    # The runtime merges the returned values into the run's vars (see engine.runtime).
    return {"values": dict(values)}
