"""The model changes behind the document's commands (plain functions over a Workflow, no Qt)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.io import Fix, comments
from engine.model.workflow import ERROR_PORT, ON_ERROR_ACTIONS, Step, Workflow
from engine.registry import MISSING

if TYPE_CHECKING:
    from gui.document.document import WorkflowDocument

STEP_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def set_param(wf: Workflow, step_id: str, name: str, value: Any) -> None:
    params = wf.steps[step_id].params
    if value is MISSING:
        params.pop(name, None)
    else:
        params[name] = value


def referrers(wf: Workflow, step_id: str) -> list[str]:
    """Steps that have a wire to ``step_id`` or mention ``steps.<step_id>`` in an expression."""
    pattern = _ref_pattern(step_id)
    found = []
    for sid, step in wf.steps.items():
        if sid == step_id:
            continue
        if any(t == step_id for _, t in step.targets()) or _mentions(step.params, pattern):
            found.append(sid)
    return found


def _ref_pattern(step_id: str) -> re.Pattern[str]:
    return re.compile(rf"\bsteps\.{re.escape(step_id)}\b")


def _mentions(value: Any, pattern: re.Pattern[str]) -> bool:
    if isinstance(value, str):
        return bool(pattern.search(value))
    if isinstance(value, dict):
        return any(_mentions(v, pattern) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, pattern) for v in value)
    return False


def _replace(value: Any, pattern: re.Pattern[str], new: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(f"steps.{new}", value)
    if isinstance(value, dict):
        return {k: _replace(v, pattern, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, pattern, new) for v in value]
    return value


def id_problem(wf: Workflow, new: str, ignore: str | None = None) -> str | None:
    if not STEP_ID.match(new):
        return "a step id uses letters, digits and _ only, and starts with a letter"
    if new in ON_ERROR_ACTIONS:
        return f"'{new}' is reserved (on_error: {new}); choose another id"
    if new in wf.steps and new != ignore:
        return f"there is already a step called '{new}'"
    return None


def rename(wf: Workflow, old: str, new: str) -> None:
    pattern = _ref_pattern(old)
    items = [(new if sid == old else sid, step) for sid, step in wf.steps.items()]
    wf.steps.clear()
    wf.steps.update(items)
    wf.steps[new].id = new
    for step in wf.steps.values():
        step.next = {port: [new if t == old else t for t in targets] for port, targets in step.next.items()}
        if step.on_error == old:
            step.on_error = new
        if _mentions(step.params, pattern):
            step.params = _replace(step.params, pattern, new)
    if old in wf.layout:
        layout = [(new if sid == old else sid, xy) for sid, xy in wf.layout.items()]
        wf.layout.clear()
        wf.layout.update(layout)
    for group in wf.groups.values():
        group.steps = [new if sid == old else sid for sid in group.steps]
    if _mentions(wf.outputs, pattern):
        wf.outputs = _replace(wf.outputs, pattern, new)
    if wf.comments:  # the person's comments on the step stay with it
        for section in ("steps", "layout"):
            wf.comments = comments.renamed(wf.comments, (section, old), (section, new))


def add(wf: Workflow, steps: list[Step], positions: Mapping[str, tuple[float, float]]) -> None:
    for step in steps:
        wf.steps[step.id] = step
        if step.id in positions:
            x, y = positions[step.id]
            wf.layout[step.id] = [_num(x), _num(y)]


def remove(wf: Workflow, ids: list[str]) -> None:
    gone = set(ids)
    for sid in ids:
        wf.steps.pop(sid, None)
        wf.layout.pop(sid, None)
    for group in wf.groups.values():
        group.steps = [sid for sid in group.steps if sid not in gone]
    for step in wf.steps.values():
        for port, target in step.targets():
            if target in gone:
                step.disconnect(port, target)


def place(wf: Workflow, moves: Mapping[str, list[float]]) -> None:
    for sid, (x, y) in moves.items():
        wf.layout[sid] = [_num(x), _num(y)]


def _num(v: float) -> float:
    """Whole positions are written as integers (``[240, 0]``, not ``[240.0, 0.0]``)."""
    return int(v) if float(v).is_integer() else round(v, 1)


def wire_problem(doc: WorkflowDocument, source: str, port: str, target: str) -> str | None:
    steps = doc.workflow.steps
    if source not in steps:
        return f"no step called '{source}'"
    if target not in steps:
        return f"no step called '{target}'"
    if source == target:
        return "a step cannot lead to itself; use a Repeat block for loops"
    if port not in doc.output_ports(source) and not doc.accepts_any_port(source):
        return f"'{source}' has no port '{port}' (it has: {', '.join(doc.output_ports(source))})"
    if (port, target) in steps[source].targets():
        return f"'{source}' {port} already leads to '{target}'"
    if port == ERROR_PORT and steps[source].on_error not in ON_ERROR_ACTIONS:
        return None  # the error route moves to the new target
    return None


def fix_problem(fix: Fix) -> str | None:
    """Why ``fix`` cannot be applied by the editor (a kind or place it does not know), or None."""
    path = fix.path
    if len(path) == 3 and path[0] == "steps" and path[2] == "do" and fix.kind == "value":
        return None
    if len(path) == 4 and path[0] == "steps" and path[2] in ("with", "next") and fix.kind == "rename":
        return None
    return f"cannot apply '{fix.label}' here"


def apply_fix(wf: Workflow, fix: Fix) -> None:
    """Make the change a problem's fix describes: a block type changed, a parameter or port renamed in place."""
    problem = fix_problem(fix)
    if problem:
        raise ValueError(problem)
    step = wf.steps[fix.path[1]]
    if fix.path[2] == "do":
        step.do = fix.value
        return
    old, section = fix.path[3], fix.path[2]
    if section == "with":
        step.params = _renamed_key(step.params, old, fix.value)
    else:
        step.next = _renamed_key(step.next, old, fix.value)
    if wf.comments:  # the comment written beside the key stays with it
        wf.comments = comments.renamed(wf.comments, fix.path, (*fix.path[:3], fix.value))


def _renamed_key(mapping: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {(new if key == old else key): value for key, value in mapping.items()}
