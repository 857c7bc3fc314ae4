"""Snapshots of the parts of a workflow one edit touches, so every command can be undone exactly.

A command captures the touched steps (and, for edits that add or remove steps, the order of steps and layout)
before and after it runs; undo and redo restore one snapshot or the other. Restoring copies, so the snapshot
stays valid however often the person goes back and forth.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.model.workflow import Step, Workflow

DECOR_FIELDS = ("notes", "groups", "layout_order")  # the canvas's notes and groups (layout: note …/group …)
WORKFLOW_FIELDS = ("name", "description", "triggers", "policy", "vars", "outputs", "on_failure", "extra", "header")


@dataclass
class State:
    """The touched parts of a workflow at one moment (None means "absent")."""

    steps: dict[str, Step | None] = field(default_factory=dict)
    layout: dict[str, list[float] | None] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    order: list[str] | None = None  # step order, for edits that add or remove steps
    layout_order: list[str] | None = None


def capture(wf: Workflow, ids: Iterable[str], *, structural: bool = False, fields: Iterable[str] = ()) -> State:
    """Copy the steps ``ids`` (and their positions) and the workflow ``fields`` as they are now."""
    state = State()
    for sid in ids:
        step = wf.steps.get(sid)
        state.steps[sid] = copy.deepcopy(step) if step is not None else None
        xy = wf.layout.get(sid)
        state.layout[sid] = list(xy) if xy is not None else None
    for name in fields:
        state.fields[name] = copy.deepcopy(getattr(wf, name))
    if structural:
        state.order = list(wf.steps)
        state.layout_order = list(wf.layout)
        state.fields.setdefault("groups", copy.deepcopy(wf.groups))  # groups name steps: they follow renames
    return state


def restore(wf: Workflow, state: State) -> None:
    """Put the captured parts back (in place: views keep their reference to ``wf``)."""
    for sid, step in state.steps.items():
        if step is None:
            wf.steps.pop(sid, None)
        else:
            wf.steps[sid] = copy.deepcopy(step)
    for sid, xy in state.layout.items():
        if xy is None:
            wf.layout.pop(sid, None)
        else:
            wf.layout[sid] = list(xy)
    for name, value in state.fields.items():
        setattr(wf, name, copy.deepcopy(value))
    if state.order is not None:
        _reorder(wf.steps, state.order)
    if state.layout_order is not None:
        _reorder(wf.layout, state.layout_order)


def _reorder(mapping: dict[str, Any], order: list[str]) -> None:
    if list(mapping) == [k for k in order if k in mapping]:
        return
    items = dict(mapping)
    mapping.clear()
    for key in order:
        if key in items:
            mapping[key] = items.pop(key)
    mapping.update(items)


@dataclass
class Change:
    """What differs between two states, for the document's signals."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    wires: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    workflow: bool = False
    decor: bool = False  # notes or groups changed


def diff(before: State, after: State) -> Change:
    change = Change()
    for sid, old in before.steps.items():
        new = after.steps.get(sid)
        if old is None and new is not None:
            change.added.append(sid)
            change.wires.append(sid)
        elif old is not None and new is None:
            change.removed.append(sid)
        elif old is not None and new is not None:
            if old.next != new.next or old.on_error != new.on_error:
                change.wires.append(sid)
            if _body(old) != _body(new):
                change.changed.append(sid)
    for sid, xy in before.layout.items():
        if xy != after.layout.get(sid) and after.steps.get(sid) is not None:
            change.moved.append(sid)
    differ = {k for k in before.fields if before.fields[k] != after.fields.get(k)}
    change.workflow = bool(differ - set(DECOR_FIELDS))
    change.decor = bool(differ & set(DECOR_FIELDS))
    return change


def _body(step: Step) -> tuple:
    return (
        step.do,
        step.params,
        step.title,
        step.description,
        step.retry,
        step.timeout,
        step.extra,
        step.on_error,
        step.disabled,
    )
