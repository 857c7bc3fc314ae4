"""One run of a plan: steps, templates, retries, timeouts, error routes, events."""

from __future__ import annotations

import itertools
import os
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.errors import LONG, Cancelled, StepError, one_line
from engine.runtime import bounds
from engine.runtime import events as ev
from engine.runtime.branches import Branches
from engine.runtime.context import HeadlessHost, Secrets, env_snapshot
from engine.runtime.control import run_block
from engine.runtime.outcome import CANCELLED, FAILED, SUCCEEDED, RunResult, error_info
from engine.runtime.plan import Plan, StepPlan, thaw
from engine.runtime.redact import redact
from engine.runtime.scope import Scope
from engine.runtime.state import MemoryState
from engine.runtime.stepcall import call_block
from engine.runtime.templates import render

if TYPE_CHECKING:
    from engine.registry.context import Host, StateStore
    from engine.runtime.debug import Debug, Debugger


class _Stopped(Exception):
    """A stop block ended the run successfully."""


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
        parent: Run | None = None,
        debug: Debug | None = None,
    ) -> None:
        self.plan = plan
        self.bus = bus or ev.EventBus()
        self.run_id = run_id or new_run_id()
        self.trigger = trigger or {}
        self.source = source
        self.host: Host = host or HeadlessHost()
        self.state: StateStore = state or MemoryState()
        self.stack = stack
        self.vars: dict[str, Any] = {**thaw(plan.vars), **(variables or {})}
        self.outputs: dict[str, Any] = dict(debug.seed) if debug is not None else {}
        self.debug = debug  # a debug run (engine.runtime.debug): never set for scheduled, watch or webhook runs
        self.debugger: Debugger | None = None
        if debug is not None and debug.pauses:
            from engine.runtime.debug import Debugger

            self.debugger = Debugger(self, debug)
        self.cancel_event = threading.Event()
        self.halted = False
        self._reason: str | None = None
        self._fatal: StepError | None = None  # a branch thread could not start: the run fails with this
        self._children: set[Run] = set()
        self._timer: threading.Timer | None = None
        self.deadline: float | None = None  # time.monotonic() when policy.timeout (its own or a parent's) ends
        self.deadline_message = ""  # what a render stopped at ``deadline`` says
        if parent is None:
            self._lock = threading.Lock()
            self._secret_values: set[str] = set()
            self._step_count = itertools.count(1)  # next() on it is atomic: no lock per step
            self.max_steps = plan.max_steps
            self.branches = Branches(bounds.MAX_BRANCHES, self.run_id)
        else:  # a workflow.run child: it masks what its parent masks, and shares its parent's limits
            self._lock = parent._lock
            self._secret_values = parent._secret_values
            self._step_count = parent._step_count
            self.max_steps = min(plan.max_steps, parent.max_steps)
            self.branches = parent.branches
            self.deadline, self.deadline_message = parent.deadline, parent.deadline_message
        self.secrets = Secrets(self._secret_values, self._lock, secret_reader)
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
        self._start_timer()
        self._set_limits()
        self._emit(
            ev.RUN_STARTED,
            None,
            {"trigger": self.trigger, "source": self.source, "path": str(self.plan.path or "")},
        )
        status, error, message = SUCCEEDED, None, ""
        try:
            self._walk()
        except _Stopped as stop:
            message = str(stop)
        except Cancelled as exc:
            status, error = CANCELLED, {"step": getattr(exc, "flowdeck_step", None)}
        except BaseException as exc:
            status, error = FAILED, error_info(exc, getattr(exc, "flowdeck_step", None))
        if self._reason == "cancelled" or (status == CANCELLED and self._reason != "timeout"):
            status, error = CANCELLED, None
        elif self._reason == "timeout":
            status, error = FAILED, self._timeout_error(error)
        if self._fatal is not None:
            status, error = FAILED, error_info(self._fatal, getattr(self._fatal, "flowdeck_step", None))
        if self._timer is not None:
            self._timer.cancel()
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

    def _walk(self) -> None:
        debug = self.debug
        if debug is None or debug.start is None:
            Scope(self).walk(self.plan.start)
        elif debug.only:  # run this step alone: its own work (a loop's body too), none of the steps after it
            self.execute_step(self.plan.steps[debug.start], Scope(self), None)
        else:
            Scope(self).walk(debug.start)

    @property
    def secret_values(self) -> frozenset[str]:
        """Every secret value this run (and the workflows it ran) read: what its records mask."""
        with self._lock:
            return frozenset(self._secret_values)

    def learn_secrets(self, child: Run) -> None:
        """Mask what a child run read here too (a child made with ``parent=`` shares this run's values already)."""
        found = child.secret_values
        with self._lock:
            self._secret_values.update(found)

    def debug_command(self, command: str, target: str | None = None) -> None:
        if self.debugger is not None:
            self.debugger.command(command, target)

    def cancel(self, reason: str = "cancelled") -> None:
        """Stop the run as soon as possible: waits end, programs are killed, the run is 'cancelled' (or, with
        reason "timeout", failed for running out of its time)."""
        with self._lock:
            if self._reason is None:
                self._reason = reason
        self.halt_branches()

    def halt_branches(self) -> None:
        """A branch failed or stopped the run: every other branch ends at its next step, and so do child runs."""
        self.halted = True
        self.cancel_event.set()
        if self.debugger is not None:
            self.debugger.wake()
        with self._lock:
            children = list(self._children)
        for child in children:
            child.cancel()

    def adopt(self, child: Run) -> None:
        """``child`` runs as a step of this run until ``disown``: cancelling or halting this run stops it too."""
        with self._lock:
            self._children.add(child)
        if self.cancel_event.is_set():
            child.cancel()

    def disown(self, child: Run) -> None:
        with self._lock:
            self._children.discard(child)

    def spawn(self, fn: Any, *args: Any, group: object = None) -> None:
        """Run ``fn(*args)`` (a branch) on a branch thread, now or when one of MAX_BRANCHES is free; ``group`` is what
        will wait for it (engine.runtime.branches)."""
        self.branches.start(self, fn, *args, group=group)

    def thread_failed(self, exc: BaseException, starting: bool = True) -> None:
        """A branch could not start (or broke inside Flowdeck): the run fails saying so, and its branches end."""
        if starting:
            message = (
                f"a parallel branch could not be started: the system refused a new thread ({exc}); "
                f"{self.branches.peak} branches were running at most (the limit is {bounds.MAX_BRANCHES})"
            )
        else:
            message = f"a parallel branch broke: {error_info(exc, None)['message']}"
        with self._lock:
            if self._fatal is None:
                self._fatal = StepError(message, kind="limit" if starting else "error")
        self.halt_branches()

    def _start_timer(self) -> None:
        """policy.timeout: when the time is up, the run is stopped like a cancel and recorded as failed."""
        timeout = self.plan.timeout
        if timeout is None:
            return
        deadline = time.monotonic() + timeout
        if self.deadline is None or deadline < self.deadline:
            self.deadline = deadline
            self.deadline_message = f"the run did not finish within {timeout:g}s (policy.timeout)"
        self._timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self.cancel, ("timeout",))
        self._timer.daemon = True
        self._timer.start()

    def _timeout_error(self, error: dict[str, Any] | None) -> dict[str, Any]:
        step = (error or {}).get("step")
        where = f" and was stopped at step '{step}'" if step else ""
        message = f"the run did not finish within {self.plan.timeout:g}s (policy.timeout){where}"
        return {"message": message, "kind": "timeout", "step": step}

    def _outputs(self) -> dict[str, Any]:
        try:
            return render(thaw(self.plan.outputs), self.template_context(None), "outputs")
        except (StepError, Cancelled) as exc:
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
        self._set_limits()
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
        self._set_limits()
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
        if next(self._step_count) > self.max_steps:
            limit = StepError(
                f"the run took more than {self.max_steps:,} steps (policy.max_steps) and was stopped at "
                f"step '{step.id}' to protect your computer; raise policy.max_steps if that many are meant",
                kind="limit",
            )
            limit.flowdeck_step = step.id  # type: ignore[attr-defined]
            raise limit
        if step.disabled:
            return self._passed_over(step)
        if self.debug is not None:
            if self.debugger is not None:
                self.debugger.before(step, scope)
            if step.id in self.debug.pins:
                return self._pinned(step, scope)
        bus = self.bus
        attempt = 0
        t0 = time.perf_counter()
        while True:
            attempt += 1
            try:
                ctx = self.template_context(scope)  # its LIMITS: the run's time and cancel (engine.runtime.bounds)
                if step.timeout is not None:
                    ctx[bounds.LIMITS] = self._step_limits(step)
                inputs = self._inputs(step, ctx)
                if bus.active:
                    self._emit(
                        ev.STEP_STARTED, step.id, {"block": step.block.type, "inputs": inputs, "attempt": attempt}
                    )
                port, output = run_block(self, step, scope, inputs, joined)
            except Cancelled as exc:
                if getattr(exc, "flowdeck_step", None) is None:  # where a timeout stopped the run, for its message
                    exc.flowdeck_step = step.id  # type: ignore[attr-defined]
                raise
            except _Stopped:
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
                        {"error": one_line(error, LONG), "attempt": attempt, "delay": round(delay, 3)},
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

    def _pinned(self, step: StepPlan, scope: Scope) -> tuple[str, ...]:
        """A pinned step: its pinned output stands for a run of it (the step's block is not called)."""
        pin = self.debug.pins[step.id]  # type: ignore[union-attr]
        output, port = pin.get("output"), str(pin.get("port") or "next")
        self.outputs[step.id] = output
        scope.last_output = output
        self._emit(ev.STEP_STARTED, step.id, {"block": step.block.type, "inputs": {}, "attempt": 0, "pinned": True})
        self._emit(ev.LOG, step.id, {"message": "pinned: its pinned output is used, the step did not run",
                                     "level": "info"})  # fmt: skip
        self._emit(ev.STEP_FINISHED, step.id,
                   {"output": output, "duration": 0.0, "attempts": 0, "port": port, "pinned": True})  # fmt: skip
        return step.ports.get(port, ())

    def _passed_over(self, step: StepPlan) -> tuple[str, ...]:
        """A disabled step: not run, marked skipped (the history and log say why), and on along its ``next``."""
        self.log(step.id, "skipped: the step is disabled (disabled: true)")
        self._emit(ev.STEP_SKIPPED, step.id, {"reason": "disabled", "block": step.block.type})
        return step.ports.get("next", ())

    def _set_limits(self) -> None:
        """What every render of this run obeys (the template context's LIMITS): its deadline and its cancel."""
        self._base[bounds.LIMITS] = (self.deadline, self.deadline_message, self.cancel_event)

    def _step_limits(self, step: StepPlan) -> bounds.Limits:
        own = time.monotonic() + (step.timeout or 0.0)
        if self.deadline is not None and self.deadline <= own:
            return self.deadline, self.deadline_message, self.cancel_event
        return own, f"step '{step.id}' did not finish within {step.timeout:g}s", self.cancel_event

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
                "details": info.get("details"),
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
        """Call a block's run function within the step's timeout and the run's (engine.runtime.stepcall)."""
        return call_block(self, step, fn, inputs, scope)

    # -- events ----------------------------------------------------------------------------------------
    def log(self, step_id: str | None, message: str, level: str = "info") -> None:
        self._emit(ev.LOG, step_id, {"message": message, "level": level})

    def progress(self, step_id: str, done: float, total: float | None) -> None:
        self._emit(ev.PROGRESS, step_id, {"done": done, "total": total})

    def emit_event(self, kind: str, step: str | None, data: dict[str, Any]) -> None:
        """Tell listeners ``kind`` happened (secrets masked), as the run's own events do."""
        self._emit(kind, step, data)

    def _emit(self, kind: str, step: str | None, data: dict[str, Any]) -> None:
        if not self.bus.active:
            return
        if self._secret_values:
            data = redact(data, self.secret_values)  # a copy: a parallel branch may read a secret meanwhile
        self.bus.emit(ev.Event(kind, self.run_id, self.plan.name, step, data))


_IDS_PER_READ = 256
_ids: list[str] = []  # run ids read ahead from the OS's random source
_ids_lock = threading.Lock()
os.register_at_fork(after_in_child=_ids.clear)  # a forked process must never hand out its parent's next ids


def new_run_id() -> str:
    """12 hex digits (48 random bits, as the first 12 of a uuid4), read from the OS 256 ids at a time rather than
    one ``getrandom`` call per run (2.3 → 0.4 µs per id; the call was the largest single cost of
    ``Engine.submit`` in cProfile)."""
    with _ids_lock:
        if not _ids:
            text = os.urandom(6 * _IDS_PER_READ).hex()
            _ids.extend(text[i : i + 12] for i in range(0, len(text), 12))
        return _ids.pop()
