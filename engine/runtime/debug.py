"""Debug runs: start at a step, run one step alone, use pinned outputs, pause at breakpoints.

A ``Debug`` is what a person asked for when starting a run from the editor or ``flowdeck run --from/--step/
--break/--pins``; scheduled, watch, webhook and daemon runs never have one, so pins and breakpoints never touch them.
It is plain data, so it crosses to a run process inside the run message (engine.runtime.wire).

A ``Debugger`` lives in the run (in whichever process executes it). Before each step it looks whether to pause;
while paused, every branch of the run waits on one condition variable (no CPU) at its next step, and the run says
so with a ``run_paused`` event holding what the person wants to see: vars, step outputs, loop, trigger, error.
Commands (continue, step, run to a step, stop) reach it from the engine (``RunHandle.debug``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.errors import Cancelled
from engine.runtime import events as ev

if TYPE_CHECKING:
    from engine.runtime.executor import Run
    from engine.runtime.plan import Plan, StepPlan
    from engine.runtime.scope import Scope

COMMANDS = ("continue", "step", "run_to", "stop")


@dataclass(frozen=True)
class Debug:
    """How a debug run differs from a normal one.

    ``start``: the step the run begins at (None: the workflow's first step); ``only``: run that step alone and end;
    ``seed``: step outputs taken as if those steps had run (from a past run); ``pins``: step outputs used instead of
    running those steps (``{step: {"output": ..., "port": "next"}}``); ``breakpoints``: steps to pause before, each
    with a condition (a template such as ``{{ loop.index == 3 }}``) or None for always.
    """

    start: str | None = None
    only: bool = False
    seed: Mapping[str, Any] = field(default_factory=dict)
    pins: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    breakpoints: Mapping[str, str | None] = field(default_factory=dict)
    pause_first: bool = False  # pause before the first step whatever the breakpoints ("step into")

    @property
    def pauses(self) -> bool:
        return bool(self.breakpoints) or self.pause_first


def problems(debug: Debug, plan: Plan) -> list[str]:
    """What in ``debug`` names no step of ``plan``, one line each (the run is refused: a typo must not run all)."""
    out = []
    if debug.start is not None and debug.start not in plan.steps:
        out.append(f"no step '{debug.start}' to start at{_did_you_mean(debug.start, plan)}")
    for what, names in (("breakpoint", debug.breakpoints), ("pin", debug.pins)):
        for name in names:
            if name not in plan.steps:
                out.append(f"the {what} at '{name}' names no step of this workflow{_did_you_mean(name, plan)}")
    return out


def _did_you_mean(name: str, plan: Plan) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(plan.steps), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def reachable(plan: Plan, start: str) -> set[str]:
    """Every step a run starting at ``start`` may reach (through any port: loop bodies are ports too)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        step = todo.pop()
        if step in seen or step not in plan.steps:
            continue
        seen.add(step)
        step_plan = plan.steps[step]
        for targets in step_plan.ports.values():
            todo.extend(targets)
        if step_plan.on_error not in ("fail", "continue"):
            todo.append(step_plan.on_error)
    return seen


def seed_from_steps(plan: Plan, start: str | None, outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs of a past run that a run starting at ``start`` should see: those of the steps it cannot reach
    (the ones it reaches run again, and would otherwise show the past run's values until they do)."""
    again = reachable(plan, start or plan.start)
    return {step: value for step, value in outputs.items() if step in plan.steps and step not in again}


class Debugger:
    """Pauses a run before steps, per the breakpoints and the commands it was given (thread-safe)."""

    def __init__(self, run: Run, debug: Debug) -> None:
        self._run = run
        self._breakpoints = dict(debug.breakpoints)
        self._cond = threading.Condition()
        self._paused_at: str | None = None  # the step the run is paused before
        self._stepping = debug.pause_first  # pause before the next step, whatever it is
        self._run_to: str | None = None

    @property
    def paused_at(self) -> str | None:
        with self._cond:
            return self._paused_at

    def before(self, step: StepPlan, scope: Scope) -> None:
        """Called before ``step`` runs: pause here if asked, and wait while the run is paused (any branch)."""
        with self._cond:
            if self._paused_at is None and not self._hit(step, scope):
                return
            if self._paused_at is None:
                self._paused_at = step.id
                self._stepping = False
                if self._run_to == step.id:
                    self._run_to = None
                self._run.emit_event(ev.RUN_PAUSED, step.id, self._snapshot(step, scope))
            while self._paused_at is not None and not self._run.cancel_event.is_set():
                self._cond.wait()
        if self._run.cancel_event.is_set():
            raise Cancelled("stopped while paused")

    def _hit(self, step: StepPlan, scope: Scope) -> bool:
        if self._stepping or self._run_to == step.id:
            return True
        if step.id not in self._breakpoints:
            return False
        condition = self._breakpoints[step.id]
        return condition is None or self._holds(condition, scope, step.id)

    def _holds(self, condition: str, scope: Scope, step_id: str) -> bool:
        from engine.runtime.control import _truthy
        from engine.runtime.templates import render

        try:
            return _truthy(render(condition, self._run.template_context(scope), f"breakpoint at {step_id}"))
        except Exception as exc:  # a broken condition pauses, saying why: better than running past it
            self._run.log(step_id, f"the breakpoint's condition could not be evaluated ({exc}); pausing", "warning")
            return True

    def _snapshot(self, step: StepPlan, scope: Scope) -> dict[str, Any]:
        from engine.runtime.wire import trimmed

        run = self._run
        return {
            "block": step.block.type,
            "vars": {name: trimmed(value) for name, value in run.vars.items()},
            "steps": {name: trimmed(value) for name, value in dict(run.outputs).items()},
            "loop": trimmed(scope.loop),
            "error": scope.error,
            "trigger": trimmed(run.trigger),
        }

    def command(self, command: str, target: str | None = None) -> None:
        """``continue``, ``step`` (pause before the next step any branch runs), ``run_to`` ``target``, or ``stop``."""
        if command not in COMMANDS:
            raise ValueError(f"unknown debug command {command!r}; expected one of {', '.join(COMMANDS)}")
        if command == "stop":
            self._run.cancel()
            return
        with self._cond:
            resumed = self._paused_at
            self._stepping = command == "step"
            self._run_to = target if command == "run_to" else None
            self._paused_at = None
            self._cond.notify_all()
        if resumed is not None:
            self._run.emit_event(ev.RUN_RESUMED, resumed, {"command": command, "target": target})

    def wake(self) -> None:
        """The run was cancelled: paused branches end now."""
        with self._cond:
            self._cond.notify_all()
