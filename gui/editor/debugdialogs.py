"""The two small dialogs of debugging from the canvas: a value typed to pin, a breakpoint's condition.

Both are opened with ``open()`` (window-modal, not a nested event loop), so runs and tests go on while they show.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from engine.runtime.pins import parse_value


class PinDialog(QDialog):
    """The output to pin for a step, typed as YAML or JSON (prefilled with the last output when there is one)."""

    def __init__(self, step: str, value: Any, done: Callable[[Any], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinDialog")
        self.setWindowTitle(f"Pin the output of {step}")
        self._done = done
        box = QVBoxLayout(self)
        box.addWidget(QLabel(f"The output runs from the editor use instead of running '{step}' (YAML or JSON):"))
        self.edit = QPlainTextEdit(json.dumps(value, indent=2, ensure_ascii=False, default=str) if value else "")
        self.edit.setObjectName("pinValue")
        self.edit.setPlaceholderText("{status: 200, json: {total: 12}}")
        self.edit.setMinimumSize(420, 200)
        box.addWidget(self.edit)
        self.error = QLabel()
        self.error.setObjectName("pinError")
        self.error.setStyleSheet("color: #d93025")
        self.error.hide()
        box.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)

    def _accept(self) -> None:
        try:
            value = parse_value(self.edit.toPlainText())
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self._done(value)
        self.accept()


class ConditionDialog(QDialog):
    """A breakpoint's condition: empty pauses every time, ``{{ loop.index == 3 }}`` only when it holds."""

    def __init__(self, step: str, condition: str | None, done: Callable[[str | None], None],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("conditionDialog")
        self.setWindowTitle(f"Breakpoint at {step}")
        self._done = done
        box = QVBoxLayout(self)
        box.addWidget(QLabel(f"Pause before '{step}' only when this holds (empty: every time):"))
        self.edit = QLineEdit(condition or "")
        self.edit.setObjectName("conditionText")
        self.edit.setPlaceholderText("{{ loop.index == 3 }}")
        self.edit.setMinimumWidth(380)
        box.addWidget(self.edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)

    def _accept(self) -> None:
        text = self.edit.text().strip()
        if text and "{{" not in text:  # a bare `loop.index == 3` would render as that text, which is always true
            text = "{{ " + text + " }}"
        self._done(text or None)
        self.accept()
