"""The problems list: every problem of the open workflow with its line, clicking one selects its step."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from engine.io import Problem

STEP_ROLE = Qt.ItemDataRole.UserRole + 1


def problem_text(problem: Problem) -> str:
    """One row: line, step, message; a message that starts with a file's absolute path starts with its name
    (the whole path is in the row's tooltip)."""
    where = f"line {problem.line}: " if problem.line else ""
    step = f"[{problem.step}] " if problem.step else ""
    kind = "warning: " if problem.severity == "warning" else ""
    message = re.sub(r"^(?:[A-Za-z]:)?[/\\](?:[^\s:/\\]+[/\\])+([^\s:/\\]+)", r"\1", problem.message)
    return f"{where}{step}{kind}{message}"


class ProblemsList(QListWidget):
    stepActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsList")
        self.setAlternatingRowColors(True)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)

    def show_problems(self, problems: list[Problem]) -> None:
        self.clear()
        for p in problems:
            item = QListWidgetItem(problem_text(p))
            item.setToolTip(str(p))
            item.setForeground(QColor("#d93025") if p.is_error else QColor("#b26a00"))
            if p.step:
                item.setData(STEP_ROLE, p.step)
            self.addItem(item)
        if not problems:
            item = QListWidgetItem("No problems found.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)

    def texts(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        step = item.data(STEP_ROLE)
        if step:
            self.stepActivated.emit(step)
