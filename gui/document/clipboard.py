"""Steps on the clipboard as YAML text: readable in a text editor, pasteable into any Flowdeck window.

Sticky notes and groups travel with them (as the file's ``layout:`` entries): a pasted group frames the pasted copies
of its steps, a pasted note keeps its text and colour; both move by the same offset as the steps."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.io import dumps, read_text
from engine.model.workflow import ON_ERROR_ACTIONS, Group, Note, Step, Workflow

PASTE_OFFSET = 40.0


@dataclass
class Pasted:
    """What a paste adds: steps with fresh ids, their positions, and notes and groups under free names."""

    steps: list[Step] = field(default_factory=list)
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)

    def label(self) -> str:
        """The undo text: "Paste 3 steps", "Paste 2 steps, 1 note and 1 group"."""
        parts = [_count(len(self.steps), "step"), _count(len(self.notes), "note"), _count(len(self.groups), "group")]
        parts = [p for p in parts if p] or ["nothing"]
        return "Paste " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0])


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}" if n else ""


def steps_yaml(wf: Workflow, ids: list[str], notes: Iterable[str] = (), groups: Iterable[str] = ()) -> str:
    """A small workflow file holding just the steps ``ids`` and their positions, and the named notes and groups
    (a group's steps among ``ids`` only)."""
    part = Workflow(name=f"Steps copied from {wf.name}" if wf.name else "Copied steps")
    for sid in ids:
        part.steps[sid] = copy.deepcopy(wf.steps[sid])
        if sid in wf.layout:
            part.layout[sid] = list(wf.layout[sid])
    for name in notes:
        if name in wf.notes:
            part.notes[name] = copy.deepcopy(wf.notes[name])
    for name in groups:
        if name in wf.groups:
            kept = [sid for sid in wf.groups[name].steps if sid in part.steps]
            part.groups[name] = Group(kept, wf.groups[name].colour)
    return dumps(part)


def _parse(text: str) -> Workflow:
    wf, _problems = read_text(text, check=False)
    if wf is not None and (wf.steps or wf.notes):
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


def pasted_steps(into: Workflow, text: str, at: tuple[float, float] | None) -> Pasted:
    """The steps in ``text`` renamed to ids ``into`` does not have, wired among themselves, their positions, and
    the notes and groups that came with them (under names ``into`` does not have, moved as the steps are)."""
    source = _parse(text)
    taken = set(into.steps)
    rename: dict[str, str] = {}
    for sid in source.steps:
        probe = Workflow(steps=dict.fromkeys(taken))  # type: ignore[arg-type]
        rename[sid] = probe.unique_id(sid)
        taken.add(rename[sid])
    steps = [_renamed(step, rename) for step in source.steps.values()]
    dx, dy = _offset(source, at)
    pasted = Pasted(steps, _positions(source, rename, dx, dy))
    for name, note in source.notes.items():
        moved = Note([note.at[0] + dx, note.at[1] + dy], list(note.size), note.text, note.colour)
        pasted.notes[_free(name, set(into.notes) | set(pasted.notes), numbered=True)] = moved
    for name, group in source.groups.items():
        members = [rename[sid] for sid in group.steps if sid in rename]
        if members:  # a frame around nothing is not pasted
            pasted.groups[_free(name, set(into.groups) | set(pasted.groups))] = Group(members, group.colour)
    return pasted


def _free(name: str, taken: set[str], numbered: bool = False) -> str:
    """``name`` if free, else the next free one: notes are named 1, 2, 3...; "Group 1" becomes "Group 2"."""
    if name not in taken:
        return name
    if numbered:
        n = 1
        while str(n) in taken:
            n += 1
        return str(n)
    base = re.sub(r" \d+$", "", name)
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


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


def _offset(source: Workflow, at: tuple[float, float] | None) -> tuple[float, float]:
    """How far everything pasted moves: its top-left corner to ``at``, or PASTE_OFFSET beside where it was."""
    corners = [source.layout[sid] for sid in source.steps if sid in source.layout]
    corners += [note.at for note in source.notes.values()]
    if not corners:
        return at if at is not None else (0.0, 0.0)
    if at is None:
        return PASTE_OFFSET, PASTE_OFFSET
    return at[0] - min(xy[0] for xy in corners), at[1] - min(xy[1] for xy in corners)


def _positions(source: Workflow, rename: dict[str, str], dx: float, dy: float) -> dict[str, tuple[float, float]]:
    known = {sid: source.layout[sid] for sid in source.steps if sid in source.layout}
    if not known:  # steps without positions: in a row from the offset
        return {rename[sid]: (dx + 240.0 * i, dy) for i, sid in enumerate(source.steps)}
    left = min(xy[0] for xy in known.values())
    top = min(xy[1] for xy in known.values())
    positions = {}
    for i, sid in enumerate(source.steps):
        x, y = known.get(sid, (left + 240.0 * i, top + 140.0))
        positions[rename[sid]] = (x + dx, y + dy)
    return positions
