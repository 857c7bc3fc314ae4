"""The one kind of undo command every edit uses: run a change on the model, remember before and after.

Commands change only the model; the document turns the difference into signals and the views follow.

Typing into one field merges into one undo step, but only within one typing session: moving the keyboard focus
(leaving the field, clicking the canvas) or a one-shot edit (a checkbox, a choice, a reset) ends the session, so
two separate edits of one field stay two undo steps.
"""

from __future__ import annotations

import copy
import dataclasses
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QGuiApplication, QUndoCommand

from engine.io import Fix
from engine.model.workflow import Workflow
from gui.document import edits
from gui.document.state import WORKFLOW_FIELDS, State, capture, diff, restore

if TYPE_CHECKING:
    from gui.document.document import WorkflowDocument

MERGE_ID = 0x46D  # commands with the same merge key (typing into one field) merge into one undo step
_session: dict[str, Any] = {"epoch": 0, "app": None, "focus": None}


def end_typing() -> None:
    """End the typing session: the next edit is an undo step of its own, even into the same field."""
    _session["epoch"] += 1


def _epoch() -> int:
    """The current typing session; the first call starts following the application's focus changes."""
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication) and _session["app"] is not app:
        _session["app"] = app
        app.focusObjectChanged.connect(_focus_moved)
    return _session["epoch"]


def _focus_moved(obj: object) -> None:
    """Focus on another widget ends the session; losing it to nothing (the window lost focus) does not."""
    if obj is not None and obj is not _session["focus"]:
        _session["focus"] = obj
        end_typing()


class DocumentCommand(QUndoCommand):
    """An undo command of one document, which it holds weakly.

    The document's undo stack owns its commands: a strong reference back would make a cycle that only Python's
    collector frees, and it frees the commands' wrappers before the document whose stack then deletes them again.
    """

    def __init__(self, document: WorkflowDocument, text: str) -> None:
        super().__init__(text)
        self._document = weakref.ref(document)

    @property
    def document(self) -> WorkflowDocument:
        document = self._document()
        if document is None:  # its stack went with it, so nothing can undo or redo this any more
            raise RuntimeError(f"the document of {self.text()!r} is closed")
        return document


class EditCommand(DocumentCommand):
    """An edit of the touched steps ``ids`` (and workflow ``fields``) made by ``change(workflow)``."""

    def __init__(
        self,
        document: WorkflowDocument,
        text: str,
        change: Callable[[Workflow], None],
        ids: Iterable[str] = (),
        *,
        structural: bool = False,
        fields: Iterable[str] = (),
        merge_key: Any = None,
        renamed: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(document, text)
        self.change = change
        self.ids = list(dict.fromkeys(ids))
        self.structural = structural
        self.fields = tuple(fields)
        self.merge_key = merge_key
        self.renamed = renamed
        self.session = _epoch() if merge_key is not None else None
        self.before = self._capture()
        self.after: State | None = None

    def _capture(self) -> State:
        return capture(self.document.workflow, self.ids, structural=self.structural, fields=self.fields)

    def id(self) -> int:
        return MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or other.merge_key != self.merge_key or self.merge_key is None:
            return False
        if other.session != self.session:  # the person left the field in between: a separate edit
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self.after is None:
            self.change(self.document.workflow)
            self.after = self._capture()
        else:
            restore(self.document.workflow, self.after)
        self.document._changed(diff(self.before, self.after), self.renamed)

    def undo(self) -> None:
        assert self.after is not None
        restore(self.document.workflow, self.before)
        renamed = (self.renamed[1], self.renamed[0]) if self.renamed else None
        self.document._changed(diff(self.after, self.before), renamed)


def apply_fix(document: WorkflowDocument, fix: Fix) -> None:
    """Apply a problem's fix as one undoable edit ("Undo Rename to message in say")."""
    problem = edits.fix_problem(fix)
    if problem:
        raise ValueError(problem)
    step_id = str(fix.path[1])
    if step_id not in document.workflow.steps:
        raise ValueError(f"no step called '{step_id}'")
    end_typing()
    command = EditCommand(
        document, f"{fix.label} in {step_id}", lambda wf: edits.apply_fix(wf, fix), [step_id], fields=("comments",)
    )
    document.undo_stack.push(command)


class ReplaceCommand(DocumentCommand):
    """The whole workflow replaced by another (text typed in the YAML tab): one undo step, merged while the
    person keeps typing in the same session. Comments, key order and positions come with the new workflow,
    which the command takes over (the caller made it and lets it go)."""

    def __init__(self, document: WorkflowDocument, workflow: Workflow, text: str = "Edit YAML") -> None:
        super().__init__(document, text)
        self.before = snapshot(document.workflow)
        self.after = workflow
        self.session = _epoch()

    def id(self) -> int:
        return MERGE_ID + 1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ReplaceCommand) or other.session != self.session:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self._show(self.before, self.after)

    def undo(self) -> None:
        self._show(self.after, self.before)

    def _show(self, old: Workflow, new: Workflow) -> None:
        change = diff(_state(old, new), _state(new, old))
        assign(self.document.workflow, new)
        self.document._changed(change, None)


def _state(wf: Workflow, other: Workflow) -> State:
    """A read-only view of ``wf`` for ``diff`` (no copies: nothing is restored from it)."""
    ids = list(dict.fromkeys([*wf.steps, *other.steps]))
    return State(
        steps={sid: wf.steps.get(sid) for sid in ids},
        layout={sid: wf.layout.get(sid) for sid in ids},
        fields={name: getattr(wf, name) for name in WORKFLOW_FIELDS},
    )


def snapshot(wf: Workflow) -> Workflow:
    """A copy of ``wf`` that later edits cannot touch; the positions and comments (immutable values) are shared."""
    shared = {"positions": wf.positions, "comments": wf.comments}
    copied = copy.deepcopy(dataclasses.replace(wf, positions={}, comments={}))
    copied.positions = dict(shared["positions"])
    copied.comments = dict(shared["comments"])
    return copied


def assign(target: Workflow, source: Workflow) -> None:
    """Make ``target`` a copy of ``source`` in place (views keep their reference); its file stays its own."""
    fresh = snapshot(source)
    for f in dataclasses.fields(Workflow):
        if f.name == "source":
            continue
        value = getattr(fresh, f.name)
        current = getattr(target, f.name)
        if isinstance(current, dict) and f.name in ("steps", "layout"):
            current.clear()
            current.update(value)
        else:
            setattr(target, f.name, value)
