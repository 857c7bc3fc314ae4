"""A block's run function called within its step's timeout and its run's: abandoned (its program stopped) at the end."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from engine.errors import Cancelled, StepError, StepTimeout
from engine.runtime.context import StepContextImpl

if TYPE_CHECKING:
    from engine.runtime.executor import Run
    from engine.runtime.plan import StepPlan
    from engine.runtime.scope import Scope


def call_block(run: Run, step: StepPlan, fn: Any, inputs: dict[str, Any], scope: Scope | None = None) -> Any:
    """Call a block's run function, abandoning it (and stopping its program) when it times out."""
    timeout = step.timeout
    if run.deadline is not None:  # policy.timeout: a block that ignores the cancel is abandoned there too
        left = max(0.0, run.deadline - time.monotonic()) + 1.0
        timeout = left if timeout is None else min(timeout, left)
    if timeout is None:
        ctx = StepContextImpl(run, step.id, None, run.cancel_event, scope)
        return fn(ctx, **inputs)
    deadline = time.monotonic() + timeout
    stop = threading.Event()
    ctx = StepContextImpl(run, step.id, deadline, stop, scope)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn(ctx, **inputs)
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=target, name=f"flowdeck-step-{step.id}", daemon=True)
    try:
        worker.start()
    except RuntimeError as exc:  # out of memory or of the system's thread limit
        raise StepError(f"step '{step.id}' could not start: the system refused a new thread ({exc})", "limit") from None
    while worker.is_alive():
        worker.join(min(0.05, max(0.0, deadline - time.monotonic())) or 0.01)
        if run.cancel_event.is_set():
            stop.set()
            worker.join(1.0)
            raise Cancelled("the run was cancelled")
        if time.monotonic() >= deadline and worker.is_alive():
            stop.set()  # a program sees this and is killed; Python code is abandoned
            worker.join(0.5)
            if worker.is_alive() or "error" not in box:
                raise StepTimeout(f"step '{step.id}' did not finish within {timeout:g}s")
    if "error" in box:
        raise box["error"]
    return box.get("value")
