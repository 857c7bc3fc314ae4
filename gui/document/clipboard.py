"""Steps on the clipboard as YAML text: readable in a text editor, pasteable into any Flowdeck window."""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from engine.io import dumps, read_text
from engine.model.workflow import ON_ERROR_ACTIONS, Step, Workflow

PASTE_OFFSET = 40.0


def steps_yaml(wf: Workflow, ids: list[str]) -> str:
    """A small workflow file holding just the steps ``ids`` and their positions."""
    part = Workflow(name=f"Steps copied from {wf.name}" if wf.name else "Copied steps")
    for sid in ids:
        part.steps[sid] = copy.deepcopy(wf.steps[sid])
        if sid in wf.layout:
            part.layout[sid] = list(wf.layout[sid])
    return dumps(part)


def _parse(text: str) -> Workflow:
    wf, _problems = read_text(text, check=False)
    if wf is not None and wf.steps:
        return wf
    try:  # a bare "id: {do: ...}" mapping copied out of a file
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    if isinstance(data, dict) and data and all(isinstance(v, dict) and "do" in v for v in data.values()):
        wf, _problems = read_text(yaml.safe_dump({"steps": data}, sort_keys=False), check=False)
        if wf is not None and wf.steps:
            return wf
    raise ValueError("the clipboard holds no Flowdeck steps (expected YAML with 'steps:' or 'id: {do: block}')")


def pasted_steps(
    into: Workflow, text: str, at: tuple[float, float] | None
) -> tuple[list[Step], dict[str, tuple[float, float]]]:
    """The steps in ``text`` renamed to ids ``into`` does not have, wired among themselves, and their positions."""
    source = _parse(text)
    taken = set(into.steps)
    rename: dict[str, str] = {}
    for sid in source.steps:
        probe = Workflow(steps=dict.fromkeys(taken))  # type: ignore[arg-type]
        rename[sid] = probe.unique_id(sid)
        taken.add(rename[sid])
    steps = [_renamed(step, rename) for step in source.steps.values()]
    return steps, _positions(source, rename, at)


def _renamed(step: Step, rename: dict[str, str]) -> Step:
    new = copy.deepcopy(step)
    new.id = rename[step.id]
    new.next = {
        port: [rename[t] for t in targets if t in rename]
        for port, targets in step.next.items()
        if any(t in rename for t in targets)
    }
    if new.on_error not in ON_ERROR_ACTIONS:
        new.on_error = rename.get(new.on_error, "fail")
    new.params = _rewrite(new.params, rename)
    return new


def _rewrite(value: Any, rename: dict[str, str]) -> Any:
    """Expressions that read a pasted step (``steps.fetch.json``) read its pasted copy."""
    if isinstance(value, str):
        return re.sub(r"\bsteps\.([A-Za-z][A-Za-z0-9_]*)\b", lambda m: f"steps.{rename.get(m[1], m[1])}", value)
    if isinstance(value, dict):
        return {k: _rewrite(v, rename) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, rename) for v in value]
    return value


def _positions(
    source: Workflow, rename: dict[str, str], at: tuple[float, float] | None
) -> dict[str, tuple[float, float]]:
    known = {sid: source.layout[sid] for sid in source.steps if sid in source.layout}
    if not known:
        x0, y0 = at if at is not None else (0.0, 0.0)
        return {rename[sid]: (x0 + 240.0 * i, y0) for i, sid in enumerate(source.steps)}
    left = min(xy[0] for xy in known.values())
    top = min(xy[1] for xy in known.values())
    dx, dy = (at[0] - left, at[1] - top) if at is not None else (PASTE_OFFSET, PASTE_OFFSET)
    positions = {}
    for i, sid in enumerate(source.steps):
        x, y = known.get(sid, (left + 240.0 * i, top + 140.0))
        positions[rename[sid]] = (x + dx, y + dy)
    return positions
