"""A frozen, parsed execution plan compiled from a workflow: what a run executes.

The run never sees the Workflow object an editor may still be changing.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.errors import StepError
from engine.io.problems import WorkflowError, errors
from engine.io.validate import validate
from engine.model.durations import parse_duration
from engine.model.workflow import Workflow
from engine.registry.blocks import BlockType, Registry, default_registry
from engine.runtime.records import Retention
from engine.runtime.templates import Renderer, compile_params

DEFAULT_MAX_STEPS = 1_000_000


@dataclass(frozen=True, slots=True)
class RetryPlan:
    attempts: int = 1
    backoff: float = 1.0
    factor: float = 2.0
    max_delay: float = 300.0
    jitter: bool = True
    on: tuple[str, ...] = ()  # error kinds to retry; empty = every kind

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (attempt counts from 1).

        ``backoff × factor^(attempt − 1)``, at most ``max_delay``; with jitter a uniform 50–100 % of that, drawn
        from ``rng`` (the module's shared generator when None).
        """
        try:
            grown = self.backoff * self.factor ** (attempt - 1) if self.backoff else 0.0
        except OverflowError:  # a big factor over many attempts: far beyond any cap
            grown = self.max_delay
        base = min(self.max_delay, grown)
        return base * (rng or random).uniform(0.5, 1.0) if self.jitter else base

    def retries(self, error: StepError) -> bool:
        return not self.on or error.kind in self.on


NO_RETRY = RetryPlan()


@dataclass(frozen=True, slots=True)
class StepPlan:
    id: str
    block: BlockType
    params: Any  # read-only mapping of parameters as written (templates unrendered)
    ports: Any  # read-only mapping port -> tuple of targets
    retry: RetryPlan
    timeout: float | None
    on_error: str  # "fail", "continue" or a step id
    has_templates: bool
    untemplated: frozenset[str] = frozenset()  # parameters the block renders itself (loop conditions)
    inputs: Renderer | None = None  # renders ``params`` against a template context (made once, here)
    defaults: Any = field(default_factory=lambda: MappingProxyType({}))  # block defaults, merged under inputs
    disabled: bool = False  # passed over: a skipped mark in the history, then on along ``next``


@dataclass(frozen=True)
class Plan:
    name: str
    path: Path | None
    folder: Path
    start: str
    steps: Any  # read-only mapping id -> StepPlan
    vars: Any
    outputs: Any
    on_failure: str | None
    max_steps: int
    history: Retention  # policy.history: how many of its runs the history keeps
    # join step -> every step that can still reach it (to know when no more branches can arrive)
    feeders: Any = field(default_factory=dict)
    # the workflow pickled when the plan was made: what a run process compiles (Engine(isolation="process"))
    snapshot: bytes | None = field(default=None, repr=False, compare=False)
    timeout: float | None = None  # policy.timeout in seconds: the whole run's time


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain, mutable copies of frozen parameters (what templates render into)."""
    if isinstance(value, MappingProxyType | dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def _has_template(value: Any) -> bool:
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(_has_template(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_template(v) for v in value)
    return False


def _retry(raw: dict[str, Any] | None) -> RetryPlan:
    if not raw:
        return NO_RETRY
    on = raw.get("on", ())
    return RetryPlan(
        attempts=int(raw.get("attempts", 1)),
        backoff=parse_duration(raw.get("backoff", 1)),
        factor=float(raw.get("factor", 2)),
        max_delay=parse_duration(raw.get("max_delay", 300)),
        jitter=bool(raw.get("jitter", True)),
        on=(on,) if isinstance(on, str) else tuple(on),
    )


def _retention(raw: Any) -> Retention:
    """``policy.history`` as a Retention; values the validator refuses are left to the default (check=False)."""
    if not isinstance(raw, dict):
        return Retention()
    keep = {k: raw.get(k) for k in ("keep_runs", "keep_days")}
    return Retention(**{k: v if _positive_int(v) else None for k, v in keep.items()})


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def compile_plan(wf: Workflow, registry: Registry | None = None, *, check: bool = True) -> Plan:
    """Validate ``wf`` and freeze it into a Plan; raises WorkflowError when it has errors."""
    registry = registry or default_registry()
    if check:
        found = errors(validate(wf, registry))
        if found:
            raise WorkflowError(found)
    if not wf.steps:
        raise WorkflowError([])
    steps = {}
    for sid, s in wf.steps.items():
        timeout = s.timeout
        block = registry[s.do]
        untemplated = frozenset(p.name for p in block.params if not p.templated)
        params = _freeze(s.params)
        steps[sid] = StepPlan(
            id=sid,
            block=block,
            params=params,
            ports=MappingProxyType({p: tuple(t) for p, t in s.next.items()}),
            retry=_retry(s.retry),
            timeout=parse_duration(timeout) if timeout not in (None, "") and not _has_template(timeout) else None,
            on_error=s.on_error,
            has_templates=_has_template(s.params),
            untemplated=untemplated,
            inputs=compile_params(params, untemplated, f"steps.{sid}.with"),
            defaults=MappingProxyType({p.name: p.default for p in block.params if p.has_default}),
            disabled=s.disabled,
        )
    folder = wf.source.parent if wf.source else Path.cwd()
    return Plan(
        name=wf.name,
        path=wf.source,
        folder=folder.resolve(),
        start=wf.start or "",
        steps=MappingProxyType(steps),
        vars=_freeze(wf.vars),
        outputs=_freeze(wf.outputs),
        on_failure=wf.on_failure,
        max_steps=int(wf.policy.get("max_steps", DEFAULT_MAX_STEPS)),
        history=_retention(wf.policy.get("history")),
        feeders=Feeders(wf),
        timeout=_run_timeout(wf.policy.get("timeout")),
    )


def _run_timeout(raw: Any) -> float | None:
    """policy.timeout in seconds (None: no limit; a value the validator refuses is left out, as check=False allows)."""
    if raw in (None, ""):
        return None
    try:
        return parse_duration(raw) or None
    except ValueError:
        return None


class Feeders(Mapping[str, "_Feeding"]):
    """For each join, which steps can still reach it: asked while a run waits at the join, answered by a search
    from the asking step and remembered. Making it is linear in the steps; a table of every join's ancestors was
    quadratic (2,000 fork+join diamonds: 9 s and 16 million entries before a run could start)."""

    def __init__(self, wf: Workflow) -> None:
        self._succ = {sid: tuple({t for _, t in s.targets() if t in wf.steps}) for sid, s in wf.steps.items()}
        self._joins = {sid: _Feeding(self, sid) for sid, s in wf.steps.items() if s.do == "join"}
        self._known: dict[tuple[str, str], bool] = {}

    def __getitem__(self, join: str) -> _Feeding:
        return self._joins[join]

    def __iter__(self) -> Iterator[str]:
        return iter(self._joins)

    def __len__(self) -> int:
        return len(self._joins)

    def reaches(self, start: str, join: str) -> bool:
        """True when a branch at ``start`` can still arrive at ``join`` (``start`` is not the join itself)."""
        key = (start, join)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._search(start, join)
        return known

    def _search(self, start: str, join: str) -> bool:
        seen = {start}
        todo = list(self._succ.get(start, ()))
        while todo:
            cur = todo.pop()
            if cur == join:
                return True
            if cur not in seen:
                seen.add(cur)
                todo.extend(self._succ.get(cur, ()))
        return False


class _Feeding:
    """``step in plan.feeders[join]``: can a branch at ``step`` still reach ``join``?"""

    __slots__ = ("_feeders", "_join")

    def __init__(self, feeders: Feeders, join: str) -> None:
        self._feeders, self._join = feeders, join

    def __contains__(self, step: object) -> bool:
        return isinstance(step, str) and self._feeders.reaches(step, self._join)
