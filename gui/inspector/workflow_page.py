"""The workflow settings page (nothing selected): name, description, variables, triggers, overlap policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from engine.model.workflow import OVERLAP_CHOICES
from engine.registry import MISSING, Kind, Param
from gui.inspector.tables import MappingEditor
from gui.inspector.triggers import TriggerList
from gui.inspector.widgets import LabelledLine, compact, note, section

if TYPE_CHECKING:
    from gui.document import WorkflowDocument

CATCH_UP_WORDS = {
    "last": "Run once for what was missed",
    "all": "Run every missed time (at most 100)",
    "none": "Skip what was missed",
}
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
        self.triggers = TriggerList(lambda: self.document.workflow.triggers, lambda: self.document.path)
        self.triggers.edited.connect(
            lambda new, typing: self.document.set_workflow_field("triggers", new, typing=typing)
        )
        layout.addWidget(self.triggers)
        layout.addWidget(section("Overlapping runs"))
        self.overlap = compact(QComboBox())
        for choice in OVERLAP_CHOICES:
            self.overlap.addItem(OVERLAP_WORDS.get(choice, choice), choice)
        self.overlap.activated.connect(self._overlap)
        layout.addWidget(self.overlap)
        layout.addWidget(section("Missed runs"))
        self.catch_up = compact(QComboBox())
        for choice, words in CATCH_UP_WORDS.items():
            self.catch_up.addItem(words, choice)
        self.catch_up.activated.connect(lambda i: self._policy("catch_up", self.catch_up.itemData(i), "last"))
        layout.addWidget(self.catch_up)
        layout.addWidget(note("Times a schedule fell while Flowdeck was closed or the computer slept.", "fieldHelp"))
        layout.addWidget(section("When a run fails"))
        self.on_failure = LabelledLine(
            "Run", "nothing", help="A step of this workflow, or a workflow file (e.g. alert.yaml) that gets vars.error."
        )
        self.on_failure.line.textEdited.connect(
            lambda t: self.document.set_workflow_field("on_failure", t.strip() or None, typing="on_failure")
        )
        layout.addWidget(self.on_failure)
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
        self.on_failure.set_text(wf.on_failure or "")
        catch_up = {True: "last", False: "none"}.get(wf.policy.get("catch_up"), wf.policy.get("catch_up", "last"))
        self.catch_up.blockSignals(True)
        self.catch_up.setCurrentIndex(max(0, self.catch_up.findData(catch_up)))
        self.catch_up.blockSignals(False)
        self.overlap.blockSignals(True)
        self.overlap.setCurrentIndex(max(0, self.overlap.findData(wf.policy.get("overlap", "skip"))))
        self.overlap.blockSignals(False)

    def show_problems(self) -> None:
        keys = (("policy",), ("vars",), ("name",), ("on_failure",))
        found = [p.message for p in self.document.problems() if p.path[:1] in keys]
        self.problems.setText("\n".join(found))
        self.problems.setVisible(bool(found))

    def _name(self, text: str) -> None:
        if text.strip():
            self.document.set_workflow_field("name", text.strip())

    def _vars(self, value: Any) -> None:
        self.document.set_workflow_field("vars", {} if value is MISSING else value)

    def _overlap(self, index: int) -> None:
        self._policy("overlap", self.overlap.itemData(index), "skip")

    def _policy(self, key: str, value: Any, default: Any) -> None:
        """Set one policy key; the default is written only when the file already had the key."""
        policy = dict(self.document.workflow.policy)
        if value == default and key not in policy:
            return
        policy[key] = value
        self.document.set_workflow_field("policy", policy)
