"""The document's edits of what the canvas adds: disabled steps, notes, groups, and steps added already wired.

A mixin of WorkflowDocument (which supplies ``workflow``, ``registry``, ``undo_stack`` and ``_push``): each method
is one undo step, and changes only the model; the views follow the document's signals.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from engine.model.workflow import COLOURS, DEFAULT_PORT, ERROR_PORT, Group, Note, Workflow

if TYPE_CHECKING:
    from gui.document.document import WorkflowDocument

DECOR = ("notes", "groups", "layout_order")
NOTE_SIZE = (220.0, 120.0)


def _num(v: float) -> float:
    return int(v) if float(v).is_integer() else round(v, 1)


class CanvasEdits:
    """Undoable edits of disabled steps, notes and groups, and of steps added in a wire."""

    # -- disabled steps --------------------------------------------------------------------------
    def set_disabled(self: WorkflowDocument, ids: Iterable[str], disabled: bool) -> None:
        """Disable (or enable) the steps ``ids``: a disabled step is passed over when the workflow runs."""
        ids = [sid for sid in ids if sid in self.workflow.steps and self.workflow.steps[sid].disabled != disabled]
        if not ids:
            return
        what = ids[0] if len(ids) == 1 else f"{len(ids)} steps"
        text = f"{'Disable' if disabled else 'Enable'} {what}"

        def change(wf: Workflow) -> None:
            for sid in ids:
                wf.steps[sid].disabled = disabled

        self._push(text, change, ids)

    def toggle_disabled(self: WorkflowDocument, ids: Iterable[str]) -> None:
        """Disable the steps when any of them is enabled, else enable them all."""
        ids = [sid for sid in ids if sid in self.workflow.steps]
        self.set_disabled(ids, not all(self.workflow.steps[sid].disabled for sid in ids))

    # -- notes -----------------------------------------------------------------------------------
    def add_note(self: WorkflowDocument, at: tuple[float, float], text: str = "", colour: str = "yellow") -> str:
        """A new sticky note with its top-left corner at ``at``; returns its name."""
        n = len(self.workflow.notes) + 1
        while str(n) in self.workflow.notes:
            n += 1
        name = str(n)
        note = Note([_num(at[0]), _num(at[1])], [_num(v) for v in NOTE_SIZE], text, colour)
        self._push("Add note", lambda wf: wf.notes.__setitem__(name, copy.deepcopy(note)), (), fields=DECOR)
        return name

    def set_note(self: WorkflowDocument, name: str, **parts: Any) -> None:
        """Change a note's ``text``, ``at``, ``size`` or ``colour``; typing into its text is one undo step."""
        note = self.workflow.notes[name]
        parts = {k: ([_num(x) for x in v] if k in ("at", "size") else v) for k, v in parts.items()}
        if all(getattr(note, k) == v for k, v in parts.items()):
            return
        if "colour" in parts and parts["colour"] not in COLOURS and not str(parts["colour"]).startswith("#"):
            raise ValueError(f"a note's colour is one of {', '.join(COLOURS)} or #rrggbb")
        only = set(parts)
        text = "Edit note" if only == {"text"} else "Move note" if only == {"at"} else "Change note"

        def change(wf: Workflow) -> None:
            for k, v in parts.items():
                setattr(wf.notes[name], k, v)

        self._push(text, change, (), fields=DECOR, merge=("note", name) if only == {"text"} else None)

    def remove_notes(self: WorkflowDocument, names: Iterable[str]) -> None:
        names = [n for n in names if n in self.workflow.notes]
        if not names:
            return

        def change(wf: Workflow) -> None:
            for n in names:
                wf.notes.pop(n, None)

        self._push("Delete note" if len(names) == 1 else f"Delete {len(names)} notes", change, (), fields=DECOR)

    # -- groups ----------------------------------------------------------------------------------
    def group_of(self: WorkflowDocument, step_id: str) -> str | None:
        return next((name for name, g in self.workflow.groups.items() if step_id in g.steps), None)

    def group_name_problem(self: WorkflowDocument, name: str, ignore: str | None = None) -> str | None:
        if not name.strip():
            return "a group needs a name"
        if name.strip() != name or "\n" in name:
            return "a group's name has no line breaks and no spaces at its ends"
        if name in self.workflow.groups and name != ignore:
            return f"there is already a group called '{name}'"
        return None

    def add_group(self: WorkflowDocument, steps: Iterable[str], name: str = "", colour: str = "blue") -> str:
        """Group the steps (each leaves the group it was in); returns the group's name."""
        ids = [sid for sid in dict.fromkeys(steps) if sid in self.workflow.steps]
        if not ids:
            raise ValueError("select the steps to group first")
        if not name:
            n = len(self.workflow.groups) + 1
            while f"Group {n}" in self.workflow.groups:
                n += 1
            name = f"Group {n}"
        problem = self.group_name_problem(name)
        if problem:
            raise ValueError(problem)

        def change(wf: Workflow) -> None:
            for group in wf.groups.values():
                group.steps = [sid for sid in group.steps if sid not in ids]
            wf.groups[name] = Group(list(ids), colour)

        self._push(f"Group {len(ids)} step{'s' if len(ids) != 1 else ''}", change, (), fields=DECOR)
        return name

    def set_group(self: WorkflowDocument, name: str, *, new_name: str | None = None, colour: str | None = None) -> None:
        """Rename a group or change its colour (its steps stay)."""
        group = self.workflow.groups[name]
        new_name = name if new_name is None else new_name
        if new_name == name and (colour is None or colour == group.colour):
            return
        problem = self.group_name_problem(new_name, ignore=name)
        if problem:
            raise ValueError(problem)

        def change(wf: Workflow) -> None:
            items = [(new_name if k == name else k, g) for k, g in wf.groups.items()]
            wf.groups.clear()
            wf.groups.update(items)
            if colour is not None:
                wf.groups[new_name].colour = colour

        text = f"Rename group {name}" if new_name != name else f"Change colour of {name}"
        self._push(text, change, (), fields=DECOR)

    def remove_groups(self: WorkflowDocument, names: Iterable[str]) -> None:
        """Remove the frames; their steps stay where they are."""
        names = [n for n in names if n in self.workflow.groups]
        if not names:
            return

        def change(wf: Workflow) -> None:
            for n in names:
                wf.groups.pop(n, None)

        self._push("Ungroup" if len(names) == 1 else f"Ungroup {len(names)}", change, (), fields=DECOR)

    # -- steps added in a wire ---------------------------------------------------------------------
    def add_step_after(
        self: WorkflowDocument, do: str, pos: tuple[float, float], source: str, port: str = DEFAULT_PORT
    ) -> str:
        """A new step running ``do`` at ``pos``, wired from ``source``'s ``port``: one undo step."""
        block = self.registry.get(do)
        title = block.title if block is not None else do
        self.undo_stack.beginMacro(f"Add {title} after {source}")
        try:
            sid = self.add_step(do, pos)
            if self.wire_problem(source, port, sid) is None:
                self.add_wire(source, port, sid)
        finally:
            self.undo_stack.endMacro()
        return sid

    def insert_on_wire(self: WorkflowDocument, do: str, pos: tuple[float, float], wire: tuple[str, str, str]) -> str:
        """A new step in the middle of ``wire`` (source, port, target): source → new → target, one undo step."""
        source, port, target = wire
        block = self.registry.get(do)
        title = block.title if block is not None else do
        self.undo_stack.beginMacro(f"Insert {title} between {source} and {target}")
        try:
            self.remove_wire(source, port, target)
            sid = self.add_step(do, pos)
            self.add_wire(source, port, sid)
            out = DEFAULT_PORT if DEFAULT_PORT in self.output_ports(sid) else None
            if out is None:  # a block without `next` (if, switch): its first port goes on
                out = next((p for p in self.output_ports(sid) if p != ERROR_PORT), None)
            if out is not None and self.wire_problem(sid, out, target) is None:
                self.add_wire(sid, out, target)
        finally:
            self.undo_stack.endMacro()
        return sid
