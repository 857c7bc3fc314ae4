"""One run of a plan: steps, templates, retries, timeouts, error routes, events."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.errors import Cancelled, FlowdeckError, StepError, StepTimeout
from engine.runtime import events as ev
from engine.runtime.context import HeadlessHost, Secrets, StepContextImpl, env_snapshot
from engine.runtime.control import run_block
from engine.runtime.plan import Plan, StepPlan, thaw
from engine.runtime.redact import redact
from engine.runtime.scope import Scope
from engine.runtime.state import MemoryState
from engine.runtime.templates import render

if TYPE_CHECKING:
    from engine.registry.context import Host, StateStore

SUCCEEDED, FAILED, CANCELLED = "succeeded", "failed", "cancelled"


class _Stopped(Exception):
    """A stop block ended the run successfully."""


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
    """What ``{{ error }}`` holds in an error route, and what history records."""
    kind = exc.kind if isinstance(exc, StepError) else "cancelled" if isinstance(exc, Cancelled) else "error"
    message = str(exc) if isinstance(exc, FlowdeckError) else f"{type(exc).__name__}: {exc}"
    info = {"message": message, "kind": kind, "step": step}
    if isinstance(exc, StepError) and exc.details:
        info["details"] = exc.details
    return info


class Run:
    """Executes a plan once. Create it, then call ``execute()`` on the thread that should run it."""

    def __init__(
        self,
        plan: Plan,
        *,
        bus: ev.EventBus | None = None,
        run_id: str | None = None,
        trigger: dict[str, Any] | None = None,
        variables: dict[str, Any] | None = None,
        host: Host | None = None,
        state: StateStore | None = None,
        source: str = "manual",
        stack: tuple[str, ...] = (),
        secret_reader: Any = None,
    ) -> None:
        self.plan = plan
        self.bus = bus or ev.EventBus()
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.trigger = trigger or {}
        self.source = source
        self.host: Host = host or HeadlessHost()
        self.state: StateStore = state or MemoryState()
        self.stack = stack
        self.vars: dict[str, Any] = {**thaw(plan.vars), **(variables or {})}
        self.outputs: dict[str, Any] = {}
        self.cancel_event = threading.Event()
        self.halted = False
        self._reason: str | None = None
        self._lock = threading.Lock()
        self._secret_values: set[str] = set()
        self.secrets = Secrets(self._secret_values, self._lock, secret_reader)
        self._step_count = itertools.count(1)  # next() on it is atomic: no lock per step
        self._threads: list[threading.Thread] = []
        self._base = {
            "vars": self.vars,
            "steps": self.outputs,
            "trigger": self.trigger,
            "env": env_snapshot(),
            "secrets": self.secrets,
            "run": {"id": self.run_id, "workflow": plan.name, "source": source},
        }

    # -- the run as a whole ------------------------------------------------------------------------
    def execute(self) -> RunResult:
        started = time.time()
        self._emit(
            ev.RUN_STARTED,
            None,
            {"trigger": self.trigger, "source": self.source, "path": str(self.plan.path or "")},
        )
        status, error, message = SUCCEEDED, None, ""
        try:
            Scope(self).walk(self.plan.start)
        except _Stopped as stop:
            message = str(stop)
        except Cancelled:
            status = CANCELLED
        except BaseException as exc:
            status, error = FAILED, error_info(exc, getattr(exc, "flowdeck_step", None))
        if self._reason == "cancelled":
            status, error = CANCELLED, None
        self._join_threads()
        if status == FAILED:
            self._on_failure(error)
        outputs = self._outputs() if status == SUCCEEDED else {}
        result = RunResult(
            self.run_id,
            self.plan.name,
            status,
            error,
            outputs,
            dict(self.outputs),
            started,
            time.time(),
            message,
        )
        self._emit(
            ev.RUN_FINISHED,
            None,
            {
                "status": status,
                "error": error,
                "duration": result.duration,
                "outputs": outputs,
                "message": message,
            },
        )
        return result

    @property
    def secret_values(self) -> frozenset[str]:
        """Every secret value this run (and the workflows it ran) read: what its records mask."""
        with self._lock:
            return frozenset(self._secret_values)

    def learn_secrets(self, child: Run) -> None:
        """Mask what a child run read here too: its outputs and errors come back into this run's events."""
        found = child.secret_values
        with self._lock:
            self._secret_values.update(found)

    def cancel(self) -> None:
        """Stop the run as soon as possible: waits end, programs are killed, the run is 'cancelled'."""
        with self._lock:
            if self._reason is None:
                self._reason = "cancelled"
        self.halted = True
        self.cancel_event.set()

    def halt_branches(self) -> None:
        """A branch failed or stopped the run: every other branch ends at its next step."""
        self.halted = True
        self.cancel_event.set()

    def spawn(self, fn: Any, *args: Any) -> None:
        thread = threading.Thread(target=fn, args=args, name=f"flowdeck-branch-{self.run_id}", daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _join_threads(self) -> None:
        for thread in list(self._threads):
            thread.join(1.0)

    def _outputs(self) -> dict[str, Any]:
        try:
            return render(thaw(self.plan.outputs), self.template_context(None), "outputs")
        except StepError as exc:
            self.log(None, f"outputs could not be computed: {exc}", "warning")
            return {}

    def _on_failure(self, error: dict[str, Any] | None) -> None:
        target = self.plan.on_failure
        if not target:
            return
        if target not in self.plan.steps:
            if target.endswith((".yaml", ".yml")):
                self._on_failure_workflow(target, error)
            return
        self.halted = False
        self.cancel_event = threading.Event()
        try:
            Scope(self, error=error).walk(target)
        except BaseException as exc:
            self.log(None, f"the on_failure step '{target}' failed too: {exc}", "error")

    def skipped(self, step_id: str) -> None:
        """Tell listeners that ``step_id`` was reached but not run because the run was halted."""
        reason = self._reason or "the run was halted"
        self._emit(ev.STEP_SKIPPED, step_id, {"reason": reason})

    def _on_failure_workflow(self, target: str, error: dict[str, Any] | None) -> None:
        """Run the workflow file ``target`` with the error as ``vars.error`` and the run as ``vars.failed_run``."""
        from engine.runtime.control import run_workflow_file

        self.halted = False
        self.cancel_event = threading.Event()
        inputs = {"error": error or {}, "failed_run": {"id": self.run_id, "workflow": self.plan.name}}
        try:
            run_workflow_file(self, target, inputs, "on_failure")
        except BaseException as exc:
            self.log(None, f"the on_failure workflow '{target}' failed too: {exc}", "error")

    # -- steps ---------------------------------------------------------------------------------------
    def user_values(self, scope: Scope | None) -> dict[str, Any]:
        """What code in a python.run step may read: vars, steps, trigger, run, loop — never secrets (or env)."""
        return {
            "vars": dict(self.vars),
            "steps": dict(self.outputs),
            "trigger": self.trigger,
            "run": self._base["run"],
            "loop": scope.loop if scope is not None else None,
        }

    def template_context(self, scope: Scope | None) -> dict[str, Any]:
        ctx = dict(self._base)
        ctx["now"] = datetime.now()
        if scope is not None:
            ctx["loop"] = scope.loop
            ctx["error"] = scope.error
        return ctx

    def execute_step(self, step: StepPlan, scope: Scope, joined: list[str] | None) -> tuple[str, ...]:
        """Run one step with its retries and error handling; return the steps to go to next."""
        if next(self._step_count) > self.plan.max_steps:
            limit = StepError(
                f"the run took more than {self.plan.max_steps:,} steps (policy.max_steps) and was stopped at "
                f"step '{step.id}' to protect your computer; raise policy.max_steps if that many are meant",
                kind="limit",
            )
            limit.flowdeck_step = step.id  # type: ignore[attr-defined]
            raise limit
        bus = self.bus
        attempt = 0
        t0 = time.perf_counter()
        while True:
            attempt += 1
            try:
                inputs = self._inputs(step, self.template_context(scope))
                if bus.active:
                    self._emit(
                        ev.STEP_STARTED, step.id, {"block": step.block.type, "inputs": inputs, "attempt": attempt}
                    )
                port, output = run_block(self, step, scope, inputs, joined)
            except (Cancelled, _Stopped):
                raise
            except BaseException as exc:
                if self.halted and not isinstance(exc, StepError):
                    raise Cancelled("the run was halted") from None
                error = exc if isinstance(exc, StepError) else StepError(error_info(exc, step.id)["message"])
                if attempt < step.retry.attempts and step.retry.retries(error) and not self.halted:
                    delay = step.retry.delay(attempt)
                    self._emit(
                        ev.STEP_RETRYING,
                        step.id,
                        {"error": str(error), "attempt": attempt, "delay": round(delay, 3)},
                    )
                    if self.cancel_event.wait(delay):
                        raise Cancelled("cancelled while waiting to retry") from None
                    continue
                return self._failed(step, scope, error, attempt, time.perf_counter() - t0)
            duration = time.perf_counter() - t0
            self.outputs[step.id] = output
            scope.last_output = output
            if bus.active:
                self._emit(
                    ev.STEP_FINISHED,
                    step.id,
                    {"output": output, "duration": duration, "attempts": attempt, "port": port},
                )
            return step.ports.get(port, ())

    @staticmethod
    def _inputs(step: StepPlan, ctx: dict[str, Any]) -> dict[str, Any]:
        """The step's parameters rendered once (the same dict goes to the event, the history and the block)."""
        if step.inputs is None:  # a StepPlan made by hand, without compile_plan
            return render(thaw(step.params), ctx, f"steps.{step.id}.with")
        return step.inputs(ctx)

    def _failed(self, step: StepPlan, scope: Scope, error: StepError, attempts: int, duration: float) -> tuple:
        info = error_info(error, step.id)
        handled = step.on_error != "fail"
        self._emit(
            ev.STEP_FAILED,
            step.id,
            {
                "error": info["message"],
                "kind": info["kind"],
                "duration": duration,
                "attempts": attempts,
                "handled": handled,
            },
        )
        if step.on_error == "fail":
            if getattr(error, "flowdeck_step", None) is None:  # a loop body's failure keeps naming the body step
                error.flowdeck_step = step.id  # type: ignore[attr-defined]
            raise error
        self.outputs[step.id] = {"error": info}
        if step.on_error == "continue":
            return step.ports.get("next", ())
        scope.error = info
        return (step.on_error,)

    def run_with_timeout(self, step: StepPlan, fn: Any, inputs: dict[str, Any], scope: Scope | None = None) -> Any:
        """Call a block's run function, abandoning it (and stopping its program) when it times out."""
        if step.timeout is None:
            ctx = StepContextImpl(self, step.id, None, self.cancel_event, scope)
            return fn(ctx, **inputs)
        deadline = time.monotonic() + step.timeout
        stop = threading.Event()
        ctx = StepContextImpl(self, step.id, deadline, stop, scope)
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = fn(ctx, **inputs)
            except BaseException as exc:
                box["error"] = exc

        worker = threading.Thread(target=target, name=f"flowdeck-step-{step.id}", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(min(0.05, max(0.0, deadline - time.monotonic())) or 0.01)
            if self.cancel_event.is_set():
                stop.set()
                worker.join(1.0)
                raise Cancelled("the run was cancelled")
            if time.monotonic() >= deadline and worker.is_alive():
                stop.set()  # a program sees this and is killed; Python code is abandoned
                worker.join(0.5)
                if worker.is_alive() or "error" not in box:
                    raise StepTimeout(f"step '{step.id}' did not finish within {step.timeout:g}s")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    # -- events ----------------------------------------------------------------------------------------
    def log(self, step_id: str | None, message: str, level: str = "info") -> None:
        self._emit(ev.LOG, step_id, {"message": message, "level": level})

    def progress(self, step_id: str, done: float, total: float | None) -> None:
        self._emit(ev.PROGRESS, step_id, {"done": done, "total": total})

    def _emit(self, kind: str, step: str | None, data: dict[str, Any]) -> None:
        if not self.bus.active:
            return
        if self._secret_values:
            data = redact(data, self.secret_values)  # a copy: a parallel branch may read a secret meanwhile
        self.bus.emit(ev.Event(kind, self.run_id, self.plan.name, step, data))


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]
