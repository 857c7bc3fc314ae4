"""Checks of what templates read: their syntax, steps and outputs that exist, declared vars, ``loop`` and
``error`` where they are set, and the workflow files ``workflow.run`` steps name (docs/expressions.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from engine.io.expressions import CONTEXT_NAMES, Ref, is_template, known_names, parse_template
from engine.io.flow import Order, error_routes, is_loop, loop_bodies, reach
from engine.io.hints import did_you_mean
from engine.model.workflow import Workflow
from engine.registry.blocks import Registry

Report = Callable[[tuple, str, str], None]  # (path, message, severity)


class _Reader:
    """One template's place: the step reading it (None for the workflow's outputs) and what it may read."""

    def __init__(self, step: str | None, in_loop: bool, on_error_route: bool) -> None:
        self.step, self.in_loop, self.on_error_route = step, in_loop, on_error_route


def check_references(wf: Workflow, registry: Registry, report: Report) -> None:
    """Report every problem with what ``wf``'s templates read, and with the files its workflow.run steps name."""
    found = list(_templates(wf, registry))
    if not found:
        _subflows(wf, registry, report)
        return
    parsed = [(path, step, own_loop, parse_template(src)) for path, step, own_loop, src in found]
    roots = {r.names[0] for _, _, _, p in parsed for r in p.refs}
    # The graph facts cost a walk over every step each: made only when some template needs them.
    in_loop = loop_bodies(wf, registry) if "loop" in roots else set()
    on_route = error_routes(wf) if "error" in roots else set()
    watched = [r.names[1] for _, _, _, p in parsed for r in p.refs if len(r.names) > 1 and r.names[0] == "steps"]
    order = Order(wf, registry, watched)
    failure_route = reach(wf, [wf.on_failure]) if wf.on_failure and watched else set()
    checker = _RefChecker(wf, registry, report, order, failure_route)
    if watched:
        checker.runs = reach(wf, [s for s in (wf.start, wf.on_failure) if s])
    for path, sid, own_loop, result in parsed:
        if result.error:
            report(path, result.error, "error")
            continue
        reader = _Reader(sid, own_loop or sid in in_loop, sid in on_route if sid else False)
        for ref in result.refs:
            checker.check(path, reader, ref)
    _subflows(wf, registry, report)


def _templates(wf: Workflow, registry: Registry) -> Iterator[tuple[tuple, str | None, bool, str]]:
    """(path, reading step, whether the step's own loop variable is set, text) of every template in ``wf``."""
    for sid, step in wf.steps.items():
        block = registry.get(step.do)
        if block is None:
            continue
        for name, value in step.params.items():
            param = block.param(name)
            if param is None or (not param.templated and block.run is not None):
                continue  # unknown (reported already), or text the block reads itself (python code)
            own_loop = not param.templated and is_loop(block)  # repeat's `while` is rendered with its loop
            for path, text in _texts(value, ("steps", sid, "with", name)):
                yield path, sid, own_loop, text
        if is_template(step.timeout):
            yield ("steps", sid, "timeout"), sid, False, str(step.timeout)
    for path, text in _texts(wf.outputs, ("outputs",)):
        yield path, None, False, text


def _texts(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        if is_template(value):
            yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _texts(v, (*path, i))


class _RefChecker:
    def __init__(self, wf: Workflow, registry: Registry, report: Report, order: Order, failure: set[str]) -> None:
        self.wf, self.registry, self.report, self.order = wf, registry, report, order
        self.failure_route = failure  # steps after on_failure: any step can have run before them
        self.declared = set(wf.vars) | _set_names(wf)
        self.seen: set[tuple[tuple, str]] = set()
        self.runs: set[str] = set()  # steps a run can reach (the others never run: no order to check)

    def problem(self, path: tuple, message: str, severity: str = "error") -> None:
        if (path, message) not in self.seen:
            self.seen.add((path, message))
            self.report(path, message, severity)

    def check(self, path: tuple, reader: _Reader, ref: Ref) -> None:
        root = ref.names[0]
        if root not in known_names():
            if not ref.may_lack(0):
                known = ", ".join(CONTEXT_NAMES)
                self.problem(path, f"'{root}' is not defined{did_you_mean(root, CONTEXT_NAMES)} (known: {known})")
        elif root == "steps" and len(ref.names) > 1:
            self._step(path, reader, ref)
        elif root == "vars" and len(ref.names) > 1:
            name = ref.names[1]
            if name not in self.declared and not ref.may_lack(1):
                self.problem(
                    path,
                    f"vars.{name} is not declared under vars: or set by a set step{did_you_mean(name, self.declared)}"
                    " (a run fails unless --var or a calling workflow gives it)",
                    "warning",
                )
        elif root == "loop" and not reader.in_loop and not ref.may_lack(1):
            where = f"step {reader.step} is not in one" if reader.step else "the workflow's outputs are not"
            self.problem(path, f"loop is only set in the body of a for_each or repeat step; {where}")
        elif root == "error" and not reader.on_error_route and not ref.may_lack(1):
            where = f"step {reader.step} is not on one" if reader.step else "the workflow's outputs are not"
            self.problem(
                path,
                f"error is only set on an error route (the steps after on_error: <step>, or on_failure); {where}",
            )

    def _step(self, path: tuple, reader: _Reader, ref: Ref) -> None:
        sid = ref.names[1]
        steps = self.wf.steps
        if sid not in steps:
            if not ref.may_lack(1):
                self.problem(path, f"steps.{sid}: there is no step '{sid}'{did_you_mean(sid, steps)}")
            return
        if len(ref.names) > 2:
            self._output(path, sid, ref)
        step = reader.step
        ordered = (
            step in self.runs and step != sid and step not in self.failure_route and not (ref.guarded or ref.covered)
        )
        if ordered and not self.order.can_precede(sid, step):
            self.problem(path, f"steps.{sid} is read by step {step}, which can run before {sid}", "warning")

    def _output(self, path: tuple, sid: str, ref: Ref) -> None:
        block = self.registry.get(self.wf.steps[sid].do)
        if block is None or not block.outputs or ref.may_lack(2):
            return
        name = ref.names[2]
        names = [o.name for o in block.outputs]
        if name in names or name == "error" or hasattr(dict, name):  # error: set when on_error caught a failure
            return
        self.problem(
            path,
            f"steps.{sid}.{name}: {block.type} has no output '{name}'{did_you_mean(name, names)} "
            f"(its outputs: {', '.join(names)})",
        )


def _set_names(wf: Workflow) -> set[str]:
    """Variables that set steps give (written as literal names)."""
    names: set[str] = set()
    for step in wf.steps.values():
        values = step.params.get("values") if step.do == "set" else None
        if isinstance(values, dict):
            names.update(str(k) for k in values)
    return names


def _subflows(wf: Workflow, registry: Registry, report: Report) -> None:
    """workflow.run steps (and an on_failure workflow) must name a file that exists; inputs the child declares."""
    children: dict[Path, set[str] | None] = {}
    for sid, step in wf.steps.items():
        if step.do != "workflow.run" or registry.get(step.do) is None:
            continue
        where = step.params.get("path")
        target = _resolve(wf, where)
        if target is None:
            continue
        path = ("steps", sid, "with", "path")
        if not target.is_file():
            message = f"there is no workflow file {where!r} (looked for {target}); the step fails unless it is made"
            report(path, message, "warning")
            continue
        if target not in children:
            children[target] = _declared_vars(target)
        declared = children[target]
        inputs = step.params.get("inputs")
        if declared is None or not isinstance(inputs, dict):
            continue
        for name in inputs:
            if name not in declared:
                tip = did_you_mean(name, declared)
                known = ", ".join(sorted(declared)) or "none"
                report(
                    ("steps", sid, "with", "inputs", name),
                    f"{target.name} does not declare the var '{name}'{tip} (its vars: {known})",
                    "warning",
                )
    failure = wf.on_failure
    if failure and failure.endswith((".yaml", ".yml")) and failure not in wf.steps:
        target = _resolve(wf, failure)
        if target is not None and not target.is_file():
            report(("on_failure",), f"there is no workflow file {failure!r} (looked for {target})", "warning")


def _resolve(wf: Workflow, where: Any) -> Path | None:
    """The file a literal path names, relative to the workflow's folder; None when that cannot be known yet."""
    if not isinstance(where, str) or not where.strip() or is_template(where) or "\0" in where:
        return None
    path = Path(where).expanduser()
    if not path.is_absolute():
        if wf.source is None:
            return None  # a new workflow not yet saved: its folder is not known
        path = wf.source.parent / path
    return Path(os.path.abspath(path))


def _declared_vars(path: Path) -> set[str] | None:
    from engine.io.load import read_file  # load imports validate, which imports this module

    child, _ = read_file(path, check=False)
    return None if child is None else {str(k) for k in child.vars}
