"""The workflow settings page (nothing selected): name, description, variables, triggers, overlap policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from engine.model.workflow import OVERLAP_CHOICES
from engine.registry import MISSING, Kind, Param
from gui.inspector.tables import MappingEditor
from gui.inspector.triggers import TriggerList
from gui.inspector.widgets import LabelledLine, note, section

if TYPE_CHECKING:
    from gui.document import WorkflowDocument

OVERLAP_WORDS = {
    "skip": "Skip the new run while one is still running",
    "queue": "Queue the new run until the running one ends",
    "parallel": "Run them side by side",
}


class WorkflowPage(QWidget):
    def __init__(self, document: WorkflowDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(4)
        heading = QLabel("Workflow")
        heading.setObjectName("pageTitle")
        layout.addWidget(heading)
        layout.addWidget(note("Select a step on the canvas to edit it; these settings belong to the whole workflow."))
        self.name = LabelledLine("Name", check=lambda t: None if t else "a workflow needs a name")
        self.name.line.textEdited.connect(self._name)
        self.description = LabelledLine("Description", placeholder="What it does, for you in six months")
        self.description.line.textEdited.connect(lambda t: self.document.set_workflow_field("description", t))
        layout.addWidget(self.name)
        layout.addWidget(self.description)
        layout.addWidget(section("Variables"))
        self.vars = MappingEditor(Param("vars", Kind.MAPPING))
        self.vars.edited.connect(self._vars)
        layout.addWidget(self.vars)
        layout.addWidget(note("Steps read them as {{ vars.<name> }}.", "fieldHelp"))
        layout.addWidget(section("Triggers"))
        self.triggers = TriggerList(lambda: self.document.workflow.triggers)
        self.triggers.edited.connect(
            lambda new, typing: self.document.set_workflow_field("triggers", new, typing=typing)
        )
        layout.addWidget(self.triggers)
        layout.addWidget(section("When a run is due while one is running"))
        self.overlap = QComboBox()
        for choice in OVERLAP_CHOICES:
            self.overlap.addItem(OVERLAP_WORDS.get(choice, choice), choice)
        self.overlap.activated.connect(self._overlap)
        layout.addWidget(self.overlap)
        self.problems = note(name="fieldProblem")
        layout.addWidget(self.problems)
        layout.addStretch(1)
        self.refresh()
        self.show_problems()

    def refresh(self) -> None:
        wf = self.document.workflow
        self.name.set_text(wf.name)
        self.description.set_text(wf.description)
        self.vars.set_value(wf.vars if wf.vars else MISSING)
        self.triggers.refresh()
        self.overlap.blockSignals(True)
        self.overlap.setCurrentIndex(max(0, self.overlap.findData(wf.policy.get("overlap", "skip"))))
        self.overlap.blockSignals(False)

    def show_problems(self) -> None:
        found = [p.message for p in self.document.problems() if p.path[:1] in (("policy",), ("vars",), ("name",))]
        self.problems.setText("\n".join(found))
        self.problems.setVisible(bool(found))

    def _name(self, text: str) -> None:
        if text.strip():
            self.document.set_workflow_field("name", text.strip())

    def _vars(self, value: Any) -> None:
        self.document.set_workflow_field("vars", {} if value is MISSING else value)

    def _overlap(self, index: int) -> None:
        policy = dict(self.document.workflow.policy)
        policy["overlap"] = self.overlap.itemData(index)
        self.document.set_workflow_field("policy", policy)
