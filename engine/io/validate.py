"""Checks that need the block registry: blocks, parameters, ports, wires, loops, triggers."""

from __future__ import annotations

import re
from typing import Any

from engine.errors import ERROR_KINDS
from engine.io.hints import closest, did_you_mean, hint_text, rename_fix, reset_hints, value_fix
from engine.io.parse import dotted
from engine.io.problems import Fix, Problem
from engine.io.references import check_references
from engine.io.triggers import CATCH_UP, check_trigger
from engine.model.durations import parse_duration, show_number
from engine.model.workflow import ERROR_PORT, GROUP_PREFIX, MAX_STEPS, OVERLAP_CHOICES, Step, Workflow, too_many_steps
from engine.registry.blocks import BlockType, Registry, default_registry

HISTORY_KEYS = ("keep_runs", "keep_days")  # policy.history: retention of this workflow's runs
HISTORY_LIMITS = {"keep_runs": 10_000_000, "keep_days": 36_500}  # far beyond use; SQLite integers stay in range
MAX_ATTEMPTS = 100  # retry.attempts
MAX_FACTOR = 100  # retry.factor: how much each retry's delay grows
MAX_RUN_STEPS = 1_000_000_000  # policy.max_steps


class _Checker:
    def __init__(self, wf: Workflow, registry: Registry) -> None:
        self.wf = wf
        self.registry = registry
        self.problems: list[Problem] = []

    def problem(self, path: tuple, message: str, severity: str = "error", fix: Fix | None = None) -> None:
        line, col = self.wf.position(*path) or (None, None)
        file = str(self.wf.source) if self.wf.source else None
        self.problems.append(Problem(f"{dotted(path)}: {message}", line, col, file, severity, path, fix))


def validate(wf: Workflow, registry: Registry | None = None) -> list[Problem]:
    """Every problem in ``wf`` that the block registry can tell, errors and warnings."""
    reset_hints()
    c = _Checker(wf, registry or default_registry())
    if len(wf.steps) > MAX_STEPS:  # checking them all would cost more than the answer is worth
        c.problem(("steps",), too_many_steps(len(wf.steps)))
        return c.problems
    for step in wf.steps.values():
        _step(c, step)
    _wires(c)
    _cycles(c)
    _reachability(c)
    check_references(wf, c.registry, c.problem)
    _policy(c)
    for i, trigger in enumerate(wf.triggers):
        for key, message, severity in check_trigger(trigger):
            c.problem(("triggers", i, trigger.kind, key) if key else ("triggers", i), message, severity)
    for sid in wf.layout:
        if sid not in wf.steps:
            c.problem(("layout", sid), f"position for a step that does not exist ('{sid}')", "warning")
    _groups(c)
    return c.problems


def _groups(c: _Checker) -> None:
    """A group names steps that exist, each step in one group at most."""
    owner: dict[str, str] = {}
    for name, group in c.wf.groups.items():
        path = ("layout", GROUP_PREFIX + name, "steps")
        for sid in group.steps:
            if sid not in c.wf.steps:
                c.problem(path, f"'{sid}' is not a step{did_you_mean(sid, c.wf.steps)}", "warning")
            elif sid in owner:
                c.problem(
                    path, f"'{sid}' is in group '{owner[sid]}' already; a step is in one group at most", "warning"
                )
            else:
                owner[sid] = name


def _disabled(c: _Checker, step: Step) -> None:
    """A disabled step is passed over along its ``next``: wires from its other ports are never followed."""
    other = [port for port in step.next if port != "next"]
    if other:
        c.problem(
            ("steps", step.id, "disabled"),
            f"a disabled step goes on along 'next' only; its {', '.join(other)} wires are not followed",
            "warning",
        )


def _step(c: _Checker, step: Step) -> None:
    path = ("steps", step.id)
    if not step.do:
        return  # already reported by the parser
    block = c.registry.get(step.do)
    if block is None:
        hint = closest(step.do, [t.type for t in c.registry])
        tip = f" — did you mean '{hint}'?" if hint else " (run 'flowdeck blocks' to list them)"
        c.problem((*path, "do"), f"unknown block '{step.do}'{tip}", fix=value_fix((*path, "do"), hint))
    else:
        _params(c, step, block)
        _ports(c, step, block)
    if step.timeout is not None:
        _duration(c, (*path, "timeout"), step.timeout, "timeout", positive=True)
    if step.retry:
        _retry(c, step, (*path, "retry"))
    if step.disabled:
        _disabled(c, step)


def _params(c: _Checker, step: Step, block: BlockType) -> None:
    path = ("steps", step.id, "with")
    for name, value in step.params.items():
        param = block.param(name)
        if param is None:
            known = ", ".join(block.param_names) or "none"
            hint = closest(name, block.param_names)
            c.problem(
                (*path, name),
                f"unknown parameter for {block.type}{hint_text(hint)} (it takes: {known})",
                fix=rename_fix((*path, name), hint, step.params),
            )
            continue
        message = param.check(value)
        if message:
            c.problem((*path, name), message)
    for param in block.params:
        if param.required and not param.has_default and param.name not in step.params:
            help_text = f" ({param.help})" if param.help else ""
            c.problem((*path, param.name), f"required{help_text}")


def _ports(c: _Checker, step: Step, block: BlockType) -> None:
    if block.ports.dynamic:
        return
    for port in step.next:
        if port not in block.ports.names:
            names = ", ".join(block.ports.names) or "none (this step ends its path)"
            hint = closest(port, block.ports.names)
            c.problem(
                ("steps", step.id, "next", port),
                f"{block.type} has no port '{port}'{hint_text(hint)} (its ports: {names})",
                fix=rename_fix(("steps", step.id, "next", port), hint, step.next),
            )


def _wires(c: _Checker) -> None:
    for step in c.wf.steps.values():
        for port, target in step.targets():
            if target in c.wf.steps:
                continue
            key = ("on_error",) if port == ERROR_PORT else ("next", port) if port != "next" else ("next",)
            hint = did_you_mean(target, c.wf.steps)
            c.problem(("steps", step.id, *key), f"goes to '{target}', which is not a step{hint}")
    failure = c.wf.on_failure
    if failure and failure not in c.wf.steps and not failure.endswith((".yaml", ".yml")):
        c.problem(
            ("on_failure",),
            f"'{failure}' is neither a step nor a workflow file{did_you_mean(failure, c.wf.steps)}",
        )


def _cycles(c: _Checker) -> None:
    """Report each loop once. Loops are built with for_each or repeat, whose bodies end by themselves."""
    steps = c.wf.steps
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for root in steps:
        if state.get(root):
            continue
        stack: list[tuple[str, list[str]]] = [(root, _successors(steps[root], steps))]
        path = [root]
        depth = {root: 0}  # where each step of the current path is in it (no search per loop found)
        state[root] = 1
        while stack:
            sid, todo = stack[-1]
            if not todo:
                stack.pop()
                path.pop()
                del depth[sid]
                state[sid] = 2
                continue
            nxt = todo.pop()
            if state.get(nxt) == 1:
                c.problem(
                    ("steps", sid, "next"),
                    f"steps {_loop_text(path[depth[nxt] :], nxt)} form a loop; "
                    "use a repeat or for_each block to run steps more than once",
                )
            elif not state.get(nxt):
                state[nxt] = 1
                depth[nxt] = len(path)
                path.append(nxt)
                stack.append((nxt, _successors(steps[nxt], steps)))


def _loop_text(loop: list[str], back: str, shown: int = 8) -> str:
    """``a → b → a``; a long loop shows its first and last steps only."""
    names = loop if len(loop) <= shown else [*loop[: shown // 2], f"… ({len(loop) - shown:,} more)", *loop[-2:]]
    return " → ".join([*names, back])


def _successors(step: Step, steps: dict[str, Step]) -> list[str]:
    return [t for _, t in step.targets() if t in steps]


def _reachability(c: _Checker) -> None:
    start = c.wf.start
    if start is None:
        return
    seen = {start}
    todo = [start]
    if c.wf.on_failure in c.wf.steps:
        seen.add(c.wf.on_failure)
        todo.append(c.wf.on_failure)
    while todo:
        for t in _successors(c.wf.steps[todo.pop()], c.wf.steps):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    for sid in c.wf.steps:
        if sid not in seen:
            c.problem(("steps", sid), f"never runs: no wire leads here from the first step '{start}'", "warning")


def _duration(c: _Checker, path: tuple, value: Any, what: str = "duration", *, positive: bool = False) -> None:
    if isinstance(value, str) and "{{" in value:
        return
    try:
        parse_duration(value, what, positive=positive)
    except ValueError as exc:
        c.problem(path, str(exc))


def _whole(c: _Checker, path: tuple, value: Any, low: int, high: int) -> None:
    """A whole number from ``low`` to ``high``; the message names the bound that was crossed."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        wanted = "a positive whole number" if low == 1 else f"a whole number of at least {low:,}"
        shown = show_number(value) if isinstance(value, float) else repr(value)
        c.problem(path, f"expected {wanted}, got {shown}")
    elif value > high:
        c.problem(path, f"{show_number(value)} is more than the largest {path[-1]} ({high:,})")


def _shown(value: Any) -> str:
    return show_number(value) if isinstance(value, int | float) and not isinstance(value, bool) else repr(value)


def _retry(c: _Checker, step: Step, path: tuple) -> None:
    retry = step.retry or {}
    attempts = retry.get("attempts", 1)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= MAX_ATTEMPTS:
        c.problem((*path, "attempts"), f"expected a whole number from 1 to {MAX_ATTEMPTS}, got {_shown(attempts)}")
    for key in ("backoff", "max_delay"):
        if key in retry:
            _duration(c, (*path, key), retry[key], "retry delay")
    factor = retry.get("factor", 2)
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not 1 <= factor <= MAX_FACTOR:
        c.problem((*path, "factor"), f"expected a number from 1 to {MAX_FACTOR}, got {_shown(factor)}")
    if "jitter" in retry and not isinstance(retry["jitter"], bool):
        c.problem((*path, "jitter"), f"expected true or false, got {retry['jitter']!r}")
    on = retry.get("on", [])
    if not isinstance(on, list | str):
        c.problem((*path, "on"), "expected a list of error kinds, e.g. [http, timeout]")
        return
    for kind in [on] if isinstance(on, str) else on:
        if kind not in ERROR_KINDS:
            c.problem(
                (*path, "on"),
                f"unknown error kind {kind!r}{did_you_mean(kind, ERROR_KINDS)} (the kinds: {', '.join(ERROR_KINDS)})",
            )


def _policy(c: _Checker) -> None:
    policy = c.wf.policy
    overlap = policy.get("overlap", "skip")
    if overlap not in OVERLAP_CHOICES:
        c.problem(("policy", "overlap"), f"expected one of {', '.join(OVERLAP_CHOICES)}, got {overlap!r}")
    if "misfire_grace" in policy:
        _duration(c, ("policy", "misfire_grace"), policy["misfire_grace"], "misfire grace")
    if "timeout" in policy:
        _duration(c, ("policy", "timeout"), policy["timeout"], "timeout", positive=True)
    if "catch_up" in policy and not isinstance(policy["catch_up"], bool) and policy["catch_up"] not in CATCH_UP:
        c.problem(("policy", "catch_up"), f"expected none, last, all (or true/false), got {policy['catch_up']!r}")
    if "max_steps" in policy:
        _whole(c, ("policy", "max_steps"), policy["max_steps"], 1, MAX_RUN_STEPS)
    if "history" in policy:
        _history(c, policy["history"])
    _distributed(c, policy)


def _distributed(c: _Checker, policy: dict) -> None:
    """policy.runs_on (worker tags) and policy.retry_lost (docs/scaling.md); used only with a broker."""
    tags = policy.get("runs_on", [])
    tag = r"[A-Za-z0-9_.-]{1,64}"
    if not isinstance(tags, list) or not all(isinstance(t, str) and re.fullmatch(tag, t) for t in tags):
        c.problem(("policy", "runs_on"), f"expected a list of worker tags like [linux, office], got {tags!r}")
    if not isinstance(policy.get("retry_lost", False), bool):
        c.problem(("policy", "retry_lost"), f"expected true or false, got {policy['retry_lost']!r}")


def _history(c: _Checker, history: Any) -> None:
    path = ("policy", "history")
    if not isinstance(history, dict):
        c.problem(path, f"expected a mapping like {{keep_runs: 50, keep_days: 7}}, got {history!r}")
        return
    for key, value in history.items():
        if key not in HISTORY_KEYS:
            c.problem((*path, key), f"unknown setting{did_you_mean(key, HISTORY_KEYS)} (known: keep_runs, keep_days)")
        else:
            _whole(c, (*path, key), value, 1, HISTORY_LIMITS[key])
