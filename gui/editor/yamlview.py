"""The YAML tab: the workflow as the text Save writes, and a second way to edit it.

Typing changes the model as soon as the text reads as a workflow (YAML that parses, in the shape of a workflow
file): one undoable edit, merged while the person keeps typing, with their comments and key order kept; the
canvas follows. While the text does not read, its problems are marked at their lines and listed under the text,
and the model (and canvas) keep the last version that did. Edits made elsewhere (canvas, inspector, undo)
rewrite the text from the model, keeping the cursor's line and column.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.io import Problem, dumps, errors, read_text
from engine.model.workflow import Workflow
from gui.document import WorkflowDocument
from gui.document.commands import ReplaceCommand
from gui.editor.problems import ProblemsList
from gui.editor.yamltext import YamlText

_SIGNALS = ("stepAdded", "stepRemoved", "stepChanged", "stepRenamed", "stepMoved", "wiresChanged", "workflowChanged")
PARSE_DELAY_MS = 400  # after the last key press: a pause in typing, not every character


class YamlView(QWidget):
    applied = Signal()  # the typed text became the model

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("yamlView")
        self.text = YamlText(self)
        self.text.before_undo = self.apply_now
        self.status = QLabel()
        self.status.setObjectName("yamlStatus")
        self.status.setWordWrap(True)
        self.problem_list = ProblemsList(self)
        self.problem_list.setObjectName("yamlProblems")
        self.problem_list.lineActivated.connect(self.text.go_to_line)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.problem_list)
        self.document_: WorkflowDocument | None = None
        self._stale = True
        self._own = False  # the model is changing because of the text: do not rewrite it
        self._typed = False  # the text holds edits the model does not have yet
        self.problems: list[Problem] = []  # of the typed text, while it does not read as a workflow
        self._shown: tuple[str, dict] = ("", {})  # the shown text and where its keys are (for the marks)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.refresh)
        self._parse = QTimer(self, singleShot=True, interval=PARSE_DELAY_MS)
        self._parse.timeout.connect(self.apply_now)
        self.text.textChanged.connect(self._text_changed)
        self._show_state()

    # -- what tests and the page read ---------------------------------------------------------------
    def toPlainText(self) -> str:
        return self.text.toPlainText()

    def isReadOnly(self) -> bool:
        return self.text.isReadOnly()

    # -- the document ------------------------------------------------------------------------------
    def set_document(self, document: WorkflowDocument) -> None:
        if self.document_ is not None:
            for name in (*_SIGNALS, "problemsChanged"):
                try:
                    getattr(self.document_, name).disconnect(
                        self._changed if name != "problemsChanged" else self._marks
                    )
                except (RuntimeError, TypeError):
                    pass
        self.document_ = document
        for name in _SIGNALS:
            getattr(document, name).connect(self._changed)
        document.problemsChanged.connect(self._marks)
        self._typed = False
        self.problems = []
        self._changed()

    def _changed(self, *_args: object) -> None:
        if self._own:
            return
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event: object) -> None:  # the text is made only when someone looks at it
        super().showEvent(event)  # type: ignore[arg-type]
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Rewrite the text from the model, keeping the cursor's line and column and the scroll position."""
        if self.document_ is None:
            return
        text = dumps(self.document_.workflow)
        self._stale = False
        self._typed = False
        self.problems = []
        if text != self.text.toPlainText():
            cursor = self.text.textCursor()
            line, col = cursor.blockNumber(), cursor.positionInBlock()
            scroll = self.text.verticalScrollBar().value()
            self._own = True
            try:
                self.text.setPlainText(text)
            finally:
                self._own = False
            block = self.text.document().findBlockByNumber(min(line, self.text.blockCount() - 1))
            cursor.setPosition(block.position() + min(col, max(block.length() - 1, 0)))
            self.text.setTextCursor(cursor)
            self.text.verticalScrollBar().setValue(scroll)
        self._show_state()

    # -- text -> model -----------------------------------------------------------------------------
    def _text_changed(self) -> None:
        if self._own:
            return
        self._typed = True
        self._parse.start()

    def apply_now(self) -> bool:
        """Read the typed text; when it reads as a workflow make it the model (one undoable edit).

        Returns whether the model now matches the text."""
        self._parse.stop()
        if not self._typed or self.document_ is None:
            return not self._typed
        document = self.document_
        source = str(document.path) if document.path else None
        wf, problems = read_text(self.text.toPlainText(), source, document.registry, check=False)
        if wf is None or errors(problems):
            self.problems = errors(problems) or problems
            self._show_state()
            return False
        self.problems = []
        self._typed = False
        self._shown = (self.text.toPlainText(), wf.positions)
        if wf != document.workflow or wf.comments != document.workflow.comments:
            self._replace(document, wf)
        self._show_state()
        self.applied.emit()
        return True

    def _replace(self, document: WorkflowDocument, wf: Workflow) -> None:
        wf.source = document.workflow.source
        self._own = True
        try:
            document.undo_stack.push(ReplaceCommand(document, wf))
        finally:
            self._own = False

    # -- problems ----------------------------------------------------------------------------------
    def _show_state(self) -> None:
        broken = bool(self.problems)
        self.problem_list.setVisible(broken)
        if broken:
            self.problem_list.show_problems(self.problems)
            rows = sum(self.problem_list.sizeHintForRow(i) for i in range(min(self.problem_list.count(), 5)))
            self.problem_list.setFixedHeight(rows + 2 * self.problem_list.frameWidth() + 4)
            self.status.setText(
                "⚠ The text does not read as a workflow yet; the canvas shows the last version that did. "
                "Undo (Ctrl+Z) goes back to it."
            )
        else:
            self.status.setText("Edit the text to change the workflow; the canvas follows as you type.")
        self._marks()

    def _positions(self) -> dict:
        """Where the keys of the shown text are, read once per text."""
        text = self.text.toPlainText()
        if self._shown[0] != text:
            wf, _ = read_text(text, check=False)
            self._shown = (text, wf.positions if wf is not None else {})
        return self._shown[1]

    def _marks(self) -> None:
        """Marks for the problems of the typed text, or else the model's problems placed on the shown text."""
        marks: dict[int, list[tuple[int, str, str]]] = {}
        if self.problems:
            for p in self.problems:
                if p.line:
                    marks.setdefault(p.line, []).append((p.col or 1, p.message, p.severity))
        elif self.document_ is not None and not self._typed and self.isVisible():
            shown = Workflow(positions=self._positions())
            for p in self.document_.problems():
                where = shown.position(*p.path) if p.path else None
                if where:
                    marks.setdefault(where[0], []).append((where[1], p.message, p.severity))
        self.text.show_marks(marks)
