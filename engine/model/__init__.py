"""The workflow model: plain dataclasses, no I/O."""

from engine.model.durations import format_duration, parse_duration
from engine.model.workflow import FORMAT_VERSION, ON_ERROR_ACTIONS, Step, Trigger, Workflow

__all__ = [
    "FORMAT_VERSION",
    "ON_ERROR_ACTIONS",
    "Step",
    "Trigger",
    "Workflow",
    "format_duration",
    "parse_duration",
]
