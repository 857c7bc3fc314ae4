"""Running workflows: plans, runs, events, and the engine that pools them."""

from engine.runtime.engine import Engine, RunHandle
from engine.runtime.events import Event, EventBus
from engine.runtime.executor import CANCELLED, FAILED, SUCCEEDED, Run, RunResult
from engine.runtime.plan import Plan, compile_plan

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
