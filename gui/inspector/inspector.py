"""Inspector: the right-hand panel; a form for the selected step, or the workflow settings when none is.

It reads the document's model and writes only through the document's setters (one undo command each);
document signals bring undo/redo and other views' edits back into the form without rebuilding it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from gui.inspector.step_page import StepPage
from gui.inspector.widgets import STYLE
from gui.inspector.workflow_page import WorkflowPage
from gui.signals import disconnect

if TYPE_CHECKING:
    from gui.document import WorkflowDocument


class Inspector(QWidget):
    def __init__(self, document: WorkflowDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(280)
        self.document: WorkflowDocument | None = None
        self.step_id: str | None = None
        self.page: StepPage | WorkflowPage | None = None
        self.previewer: Callable[[Any], Any] | None = None  # template previews (gui.inspector.preview.Previewer)
        self.past_run: Callable[[str], tuple[str, Any]] | None = None  # step -> (run id, its record) of a past run
        self._routes_timer = QTimer(self, singleShot=True, interval=0)
        self._routes_timer.timeout.connect(self._refill_routes)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self.set_document(document)

    def set_document(self, document: WorkflowDocument) -> None:
        if self.document is not None:
            self._connect(self.document, False)
        self.document = document
        self._connect(document, True)
        self.show_step(None)

    def _connect(self, document: WorkflowDocument, on: bool) -> None:
        pairs: list[tuple[Any, Any]] = [
            (document.stepChanged, self._step_changed),
            (document.stepRenamed, self._step_renamed),
            (document.stepRemoved, self._step_removed),
            (document.stepAdded, self._steps_changed),
            (document.workflowChanged, self._workflow_changed),
            (document.problemsChanged, self._problems_changed),
        ]
        for signal, slot in pairs:
            if on:
                signal.connect(slot)
            else:
                disconnect(signal, slot)

    def show_step(self, step_id: str | None) -> None:
        """Show the form of ``step_id``; None (or a step that is gone) shows the workflow settings."""
        if self.document is None:
            return
        if step_id is not None and step_id not in self.document.workflow.steps:
            step_id = None
        self.step_id = step_id
        self._build()

    def _build(self) -> None:
        assert self.document is not None
        old = self.scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        if self.step_id is None:
            self.page = WorkflowPage(self.document)
        else:
            past = self.past_run(self.step_id) if self.past_run is not None else None
            self.page = StepPage(self.document, self.step_id, previewer=self.previewer, past_run=past)
        self.scroll.setWidget(self.page)

    def set_previewer(self, previewer: Callable[[Any], Any] | None) -> None:
        self.previewer = previewer
        self.refresh_previews()

    def refresh_previews(self) -> None:
        """The preview data changed (a run finished, a past run is shown): every template field renders again."""
        if isinstance(self.page, StepPage):
            for row in self.page.rows.values():
                row.set_previewer(self.previewer)

    def set_past_run(self, past_run: Callable[[str], tuple[str, Any]] | None) -> None:
        """Show (or, with None, stop showing) a past run's values of the selected step."""
        self.past_run = past_run
        if self.document is not None:
            self.show_step(self.step_id)

    def _routes_later(self) -> None:
        """Other steps came, went or were renamed: refill the on-error choices once, after the burst (a paste)."""
        if not self._routes_timer.isActive():
            self._routes_timer.start()

    def _refill_routes(self) -> None:
        if isinstance(self.page, StepPage) and self.page.step_id in self.document.workflow.steps:
            self.page._fill_routes()

    # -- document signals ------------------------------------------------------------------------
    def _step_changed(self, step_id: str) -> None:
        if isinstance(self.page, StepPage):
            if step_id == self.step_id and self.page.block is not self.document.registry.get(self.page.step.do):
                self._build()  # the block type changed: a different form
            elif step_id == self.step_id:
                self.page.refresh()
            else:
                self._routes_later()

    def _step_renamed(self, old: str, new: str) -> None:
        if self.step_id == old:
            self.show_step(new)
        elif isinstance(self.page, StepPage):
            self._routes_later()

    def _step_removed(self, step_id: str) -> None:
        if step_id == self.step_id:
            self.show_step(None)
        elif isinstance(self.page, StepPage):
            self._routes_later()

    def _steps_changed(self, step_id: str) -> None:
        if isinstance(self.page, StepPage):
            self._routes_later()

    def _workflow_changed(self) -> None:
        if isinstance(self.page, WorkflowPage):
            self.page.refresh()

    def _problems_changed(self) -> None:
        if self.page is not None:
            self.page.show_problems()
