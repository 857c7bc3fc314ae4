"""Running workflows: plans, runs, events, and the engine that pools them.

The names below are imported on first use, so that ``engine.runtime.events`` (all a window needs before its first
paint) does not pull in the executor, Jinja2 and the blocks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.runtime.engine import Engine, RunHandle
    from engine.runtime.events import Event, EventBus
    from engine.runtime.executor import CANCELLED, FAILED, SUCCEEDED, Run, RunResult
    from engine.runtime.plan import Plan, compile_plan

_WHERE = {
    "Engine": "engine",
    "RunHandle": "engine",
    "Event": "events",
    "EventBus": "events",
    "CANCELLED": "executor",
    "FAILED": "executor",
    "SUCCEEDED": "executor",
    "Run": "executor",
    "RunResult": "executor",
    "Plan": "plan",
    "compile_plan": "plan",
}

__all__ = [
    "CANCELLED",
    "FAILED",
    "SUCCEEDED",
    "Engine",
    "Event",
    "EventBus",
    "Plan",
    "Run",
    "RunHandle",
    "RunResult",
    "compile_plan",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'engine.runtime' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"engine.runtime.{module}"), name)
    globals()[name] = value
    return value
