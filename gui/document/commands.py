"""The one kind of undo command every edit uses: run a change on the model, remember before and after.

Commands change only the model; the document turns the difference into signals and the views follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from engine.model.workflow import Workflow
from gui.document.state import State, capture, diff, restore

if TYPE_CHECKING:
    from gui.document.document import WorkflowDocument

MERGE_ID = 0x46D  # commands with the same merge key (typing into one field) merge into one undo step


class EditCommand(QUndoCommand):
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
        super().__init__(text)
        self.document = document
        self.change = change
        self.ids = list(dict.fromkeys(ids))
        self.structural = structural
        self.fields = tuple(fields)
        self.merge_key = merge_key
        self.renamed = renamed
        self.before = self._capture()
        self.after: State | None = None

    def _capture(self) -> State:
        return capture(self.document.workflow, self.ids, structural=self.structural, fields=self.fields)

    def id(self) -> int:
        return MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or other.merge_key != self.merge_key or self.merge_key is None:
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
