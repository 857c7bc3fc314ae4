"""The problems list: every problem of the open workflow with its line, clicking one selects its step.

A problem that comes with a fix (a typo's did-you-mean) shows it as a button on its row ("Change to
http.request"); pressing it asks for the fix with ``fixRequested``, and the page applies it as an undoable edit.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QToolButton, QWidget

from engine.io import Fix, Problem

STEP_ROLE = Qt.ItemDataRole.UserRole + 1
TEXT_ROLE = Qt.ItemDataRole.UserRole + 2  # the row's text (rows with a fix draw it in their own widget)
LINE_ROLE = Qt.ItemDataRole.UserRole + 3


def problem_text(problem: Problem) -> str:
    """One row: line, step, message; a message that starts with a file's absolute path starts with its name
    (the whole path is in the row's tooltip)."""
    where = f"line {problem.line}: " if problem.line else ""
    step = f"[{problem.step}] " if problem.step else ""
    kind = "warning: " if problem.severity == "warning" else ""
    message = re.sub(r"^(?:[A-Za-z]:)?[/\\](?:[^\s:/\\]+[/\\])+([^\s:/\\]+)", r"\1", problem.message)
    return f"{where}{step}{kind}{message}"


def problem_colour(problem: Problem) -> QColor:
    return QColor("#d93025") if problem.is_error else QColor("#b26a00")


class ProblemsList(QListWidget):
    stepActivated = Signal(str)
    lineActivated = Signal(int)  # a problem without a step (the YAML editor moves to its line)
    fixRequested = Signal(object)  # an engine.io.Fix

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsList")
        self.setAlternatingRowColors(True)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)

    def show_problems(self, problems: list[Problem]) -> None:
        self.clear()
        for p in problems:
            text = problem_text(p)
            item = QListWidgetItem("" if p.fix else text)
            item.setData(TEXT_ROLE, text)
            item.setToolTip(str(p))
            item.setForeground(problem_colour(p))
            if p.step:
                item.setData(STEP_ROLE, p.step)
            if p.line:
                item.setData(LINE_ROLE, p.line)
            self.addItem(item)
            if p.fix is not None:
                self._fix_row(item, p, text)
        if not problems:
            item = QListWidgetItem("No problems found.")
            item.setData(TEXT_ROLE, item.text())
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)

    def _fix_row(self, item: QListWidgetItem, problem: Problem, text: str) -> None:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(4, 0, 4, 0)
        label = QLabel(text)
        label.setStyleSheet(f"color: {problem_colour(problem).name()}")
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # clicks select the row
        layout.addWidget(label, 1)
        layout.addWidget(self.fix_button(problem.fix, self.fixRequested.emit))
        item.setSizeHint(row.sizeHint())
        self.setItemWidget(item, row)

    @staticmethod
    def fix_button(fix: Fix, apply: object) -> QToolButton:
        """A small button applying ``fix`` (shared with the inspector)."""
        button = QToolButton()
        button.setObjectName("fixButton")
        button.setText(fix.label)
        button.setToolTip(f"{fix.label} (can be undone)")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.clicked.connect(lambda: apply(fix))  # type: ignore[operator]
        return button

    def fix_buttons(self) -> list[QToolButton]:
        found = []
        for i in range(self.count()):
            row = self.itemWidget(self.item(i))
            if row is not None:
                found += row.findChildren(QToolButton, "fixButton")
        return found

    def texts(self) -> list[str]:
        return [self.item(i).data(TEXT_ROLE) or self.item(i).text() for i in range(self.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        step = item.data(STEP_ROLE)
        if step:
            self.stepActivated.emit(step)
        elif item.data(LINE_ROLE):
            self.lineActivated.emit(int(item.data(LINE_ROLE)))
