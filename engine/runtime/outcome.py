"""How a run ended: its result, and the error record that ``{{ error }}``, the history and on_failure see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.errors import LONG, Cancelled, FlowdeckError, StepError, one_line

SUCCEEDED, FAILED, CANCELLED = "succeeded", "failed", "cancelled"
NOT_BEGUN = "stopped, not begun"  # the message of a run cancelled before it began (a stop, while it waited)


@dataclass
class RunResult:
    """How a run ended."""

    run_id: str
    workflow: str
    status: str
    error: dict[str, Any] | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == SUCCEEDED

    @property
    def duration(self) -> float:
        return self.finished - self.started


def error_info(exc: BaseException, step: str | None) -> dict[str, Any]:
    """What ``{{ error }}`` holds in an error route, and what history records (never an empty message)."""
    kind = exc.kind if isinstance(exc, StepError) else "cancelled" if isinstance(exc, Cancelled) else "error"
    if isinstance(exc, MemoryError):
        kind = "memory"
        message = f"out of memory while running step '{step}'" if step else "out of memory while running the workflow"
    elif isinstance(exc, RecursionError):
        kind = "limit"
        where = f"step '{step}'" if step else "the workflow"
        message = f"{where} nested runs and branches too deeply (Python's recursion limit was reached)"
    elif isinstance(exc, FlowdeckError):
        message = str(exc) or f"{type(exc).__name__} (no message)"
    else:
        message = f"{type(exc).__name__}: {exc}" if str(exc) else f"{type(exc).__name__} (the error gave no message)"
    info: dict[str, Any] = {"message": one_line(message, LONG), "kind": kind, "step": step}
    details = dict(exc.details) if isinstance(exc, StepError) and exc.details else {}
    if info["message"] != message:
        details.setdefault("message", message)  # the whole text, when the one line had to cut or join it
    if details:
        info["details"] = details
    return info
