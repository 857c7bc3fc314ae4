"""WorkflowDocument: the editor's model adapter. Views read ``workflow``; every edit is one undo command."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from engine.io import Problem, validate
from engine.model.workflow import ERROR_PORT, Step, Workflow
from engine.registry import MISSING, Registry, default_registry
from gui.document import edits
from gui.document.canvas_edits import CanvasEdits
from gui.document.commands import EditCommand
from gui.document.state import WORKFLOW_FIELDS, Change

STEP_FIELDS = ("do", "title", "description", "retry", "timeout", "on_error")


class WorkflowDocument(CanvasEdits, QObject):
    stepAdded = Signal(str)
    stepRemoved = Signal(str)
    stepChanged = Signal(str)
    stepRenamed = Signal(str, str)
    stepMoved = Signal(str)
    wiresChanged = Signal(str)
    workflowChanged = Signal()
    decorChanged = Signal()  # notes or groups (layout: note …/group …) changed
    problemsChanged = Signal()
    modifiedChanged = Signal(bool)
    pathChanged = Signal(object)

    def __init__(
        self, workflow: Workflow | None = None, registry: Registry | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.workflow = workflow if workflow is not None else Workflow()
        self.registry = registry if registry is not None else default_registry()
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._path: Path | None = self.workflow.source
        self._problems: list[Problem] | None = None
        self.load_problems: list[Problem] = []  # found when the file was read (YAML/shape), kept until saved
        self._revalidate = QTimer(self, singleShot=True, interval=120)
        self._revalidate.timeout.connect(self.problemsChanged.emit)

    # -- state ---------------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self._path

    @path.setter
    def path(self, value: Path | None) -> None:
        self._path = Path(value) if value is not None else None
        self.workflow.source = self._path
        self.pathChanged.emit(self._path)

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def mark_saved(self) -> None:
        self.undo_stack.setClean()
        self.load_problems = []
        self._invalidate()

    def problems(self) -> list[Problem]:
        """Problems of the current model (validation), plus those found while reading the file."""
        if self._problems is None:
            self._problems = validate(self.workflow, self.registry)
        return self.load_problems + self._problems

    def step_problems(self) -> dict[str, list[Problem]]:
        found: dict[str, list[Problem]] = {}
        for p in self.problems():
            if p.step is not None:
                found.setdefault(p.step, []).append(p)
        return found

    def output_ports(self, step_id: str) -> list[str]:
        """The ports a step's wires may leave from: the block's, any written under next:, and error."""
        step = self.workflow.steps[step_id]
        block = self.registry.get(step.do)
        ports = list(block.ports.names) if block is not None else []
        ports += [p for p in step.next if p not in ports]
        return [*ports, ERROR_PORT]

    def accepts_any_port(self, step_id: str) -> bool:
        block = self.registry.get(self.workflow.steps[step_id].do)
        return block is not None and block.ports.dynamic

    def has_input(self, step_id: str) -> bool:
        return True

    # -- setters from the contract --------------------------------------------------------------
    def set_param(self, step_id: str, name: str, value: Any) -> None:
        """Set one parameter of a step (``MISSING`` removes it). Typing into one field merges into one undo."""
        step = self._step(step_id)
        if step.params.get(name, MISSING) == value and (value is not MISSING or name not in step.params):
            return
        what = f"Change {name} of {step_id}" if value is not MISSING else f"Clear {name} of {step_id}"
        self._push(what, lambda wf: edits.set_param(wf, step_id, name, value), [step_id], merge=("p", step_id, name))

    def set_step_field(self, step_id: str, field: str, value: Any) -> None:
        if field not in STEP_FIELDS:
            raise ValueError(f"a step has no field {field!r} (it has: {', '.join(STEP_FIELDS)})")
        step = self._step(step_id)
        if getattr(step, field) == value:
            return
        ids = [step_id] + ([value] if field == "on_error" and value in self.workflow.steps else [])
        self._push(
            f"Change {field} of {step_id}",
            lambda wf: setattr(wf.steps[step_id], field, value),
            ids[:1],
            merge=("f", step_id, field) if field in ("title", "description", "timeout", "retry") else None,
        )

    def set_workflow_field(self, field: str, value: Any, *, typing: Any = None) -> None:
        """``typing``: a key for the part being typed into (e.g. a trigger's option); consecutive edits with the
        same key merge into one undo step."""
        if field not in WORKFLOW_FIELDS:
            raise ValueError(f"a workflow has no field {field!r} (it has: {', '.join(WORKFLOW_FIELDS)})")
        if getattr(self.workflow, field) == value:
            return
        merge = ("w", field) if field in ("name", "description") else None
        merge = ("w", field, typing) if typing is not None else merge
        self._push(f"Change {field}", lambda wf: setattr(wf, field, value), (), fields=[field], merge=merge)

    def rename_step(self, old: str, new: str) -> None:
        """Rename a step; every wire, position and ``steps.<old>.`` expression follows the new id."""
        problem = self.rename_problem(old, new)
        if problem:
            raise ValueError(problem)
        if old == new:
            return
        ids = [old, new, *edits.referrers(self.workflow, old)]
        self._push(
            f"Rename {old} to {new}",
            lambda wf: edits.rename(wf, old, new),
            ids,
            structural=True,
            fields=("comments",),
            renamed=(old, new),
        )

    def rename_problem(self, old: str, new: str) -> str | None:
        """Why ``old`` cannot be renamed to ``new``, or None."""
        self._step(old)
        return edits.id_problem(self.workflow, new, ignore=old)

    # -- steps and wires -------------------------------------------------------------------------
    def add_step(self, do: str, pos: tuple[float, float] | None = None, step_id: str | None = None) -> str:
        """Add a step running block ``do`` (with its declared defaults) at ``pos``; returns its id."""
        block = self.registry.get(do)
        sid = step_id or self.workflow.unique_id(do.rsplit(".", 1)[-1])
        step = Step(id=sid, do=do, params=block.defaults() if block is not None else {})
        self.add_steps([step], {sid: pos} if pos is not None else {}, text=f"Add {block.title if block else do}")
        return sid

    def add_steps(
        self, steps: list[Step], positions: Mapping[str, tuple[float, float]], text: str = "Add steps"
    ) -> None:
        for s in steps:
            if s.id in self.workflow.steps:
                raise ValueError(f"a step called {s.id!r} exists already")
        ids = [s.id for s in steps]
        self._push(text, lambda wf: edits.add(wf, steps, positions), ids, structural=True)

    def remove_steps(self, ids: Iterable[str]) -> None:
        """Remove steps and every wire to or from them."""
        ids = [sid for sid in dict.fromkeys(ids) if sid in self.workflow.steps]
        if not ids:
            return
        touched = ids + [r for sid in ids for r in edits.referrers(self.workflow, sid)]
        text = f"Delete {ids[0]}" if len(ids) == 1 else f"Delete {len(ids)} steps"
        self._push(text, lambda wf: edits.remove(wf, ids), touched, structural=True)

    def wire_problem(self, source: str, port: str, target: str) -> str | None:
        """Why a wire from ``source``'s ``port`` to ``target`` is not allowed, or None."""
        return edits.wire_problem(self, source, port, target)

    def add_wire(self, source: str, port: str, target: str) -> None:
        problem = self.wire_problem(source, port, target)
        if problem:
            raise ValueError(problem)
        self._push(f"Wire {source}.{port} to {target}", lambda wf: wf.steps[source].connect(port, target), [source])

    def remove_wire(self, source: str, port: str, target: str) -> None:
        if (port, target) not in self._step(source).targets():
            return
        self._push(f"Remove wire {source}.{port}", lambda wf: wf.steps[source].disconnect(port, target), [source])

    def remove_wires(self, wires: Iterable[tuple[str, str, str]]) -> None:
        wires = [
            w for w in wires if w[0] in self.workflow.steps and (w[1], w[2]) in self.workflow.steps[w[0]].targets()
        ]
        if not wires:
            return
        self.undo_stack.beginMacro("Remove wires" if len(wires) > 1 else f"Remove wire {wires[0][0]}.{wires[0][1]}")
        for w in wires:
            self.remove_wire(*w)
        self.undo_stack.endMacro()

    def move_steps(self, positions: Mapping[str, tuple[float, float]]) -> None:
        """Move steps to new positions: one undo step however many moved."""
        moves = {sid: [float(x), float(y)] for sid, (x, y) in positions.items() if sid in self.workflow.steps}
        moves = {sid: xy for sid, xy in moves.items() if self.workflow.layout.get(sid) != xy}
        if not moves:
            return
        text = f"Move {next(iter(moves))}" if len(moves) == 1 else f"Move {len(moves)} steps"
        self._push(text, lambda wf: edits.place(wf, moves), list(moves), structural=True)

    # -- clipboard -------------------------------------------------------------------------------
    def copy_yaml(self, ids: Iterable[str], notes: Iterable[str] = (), groups: Iterable[str] = ()) -> str:
        from gui.document.clipboard import steps_yaml

        return steps_yaml(self.workflow, [sid for sid in ids if sid in self.workflow.steps], notes, groups)

    def paste_yaml(self, text: str, at: tuple[float, float] | None = None) -> list[str]:
        """Add the steps in ``text`` with new unique ids (wires among them kept), and the notes and groups that
        came with them, as one undo step; returns the new step ids.

        Raises ValueError with a readable reason when the text holds no steps.
        """
        from gui.document.canvas_edits import DECOR
        from gui.document.clipboard import pasted_steps

        pasted = pasted_steps(self.workflow, text, at)

        def change(wf: Workflow) -> None:
            edits.add(wf, pasted.steps, pasted.positions)
            for name, note in pasted.notes.items():
                wf.notes[name] = dataclasses.replace(note, at=[edits._num(v) for v in note.at])
            wf.groups.update(pasted.groups)

        ids = [s.id for s in pasted.steps]
        self._push(pasted.label(), change, ids, structural=True, fields=DECOR if pasted.notes or pasted.groups else ())
        return ids

    # -- internals -------------------------------------------------------------------------------
    def _step(self, step_id: str) -> Step:
        try:
            return self.workflow.steps[step_id]
        except KeyError:
            raise KeyError(f"no step called {step_id!r}") from None

    def _push(
        self,
        text: str,
        change: Any,
        ids: Iterable[str],
        *,
        structural: bool = False,
        fields: Iterable[str] = (),
        merge: Any = None,
        renamed: tuple[str, str] | None = None,
    ) -> None:
        command = EditCommand(
            self, text, change, ids, structural=structural, fields=fields, merge_key=merge, renamed=renamed
        )
        self.undo_stack.push(command)

    def _changed(self, change: Change, renamed: tuple[str, str] | None) -> None:
        """Tell the views what one command (or its undo) changed."""
        skip: set[str] = set()
        if renamed is not None:
            skip = set(renamed)
            self.stepRenamed.emit(*renamed)
        for sid in change.removed:  # first, so views drop what is gone before anything else refreshes
            if sid not in skip:
                self.stepRemoved.emit(sid)
        for sid in change.added:
            if sid not in skip:
                self.stepAdded.emit(sid)
        for sid in change.changed:
            if sid not in skip:
                self.stepChanged.emit(sid)
        for sid in change.wires:
            if sid in self.workflow.steps:
                self.wiresChanged.emit(sid)
        for sid in change.moved:
            self.stepMoved.emit(sid)
        if change.decor:
            self.decorChanged.emit()
        if change.workflow or change.decor:  # notes and groups are part of the file: the YAML view follows them too
            self.workflowChanged.emit()
        self._invalidate()

    def _clean_changed(self, clean: bool) -> None:
        self.modifiedChanged.emit(not clean)

    def _invalidate(self) -> None:
        self._problems = None
        self._revalidate.start()
