"""The inspector's "In run 3f2a9c" section: what a past run gave one step (inputs, output), read-only, with Copy.

Shown while the editor shows a past run (gui.editor.pastrun); the values are the history's, never the form's.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

from gui.inspector.preview import compact
from gui.inspector.widgets import monospace_font, note, section
from gui.runpanel.values import VIEW_LIMIT, duration_text, pretty

YAML_CHARS = 20_000  # a value up to this size reads as YAML, a bigger one as the start of its JSON (1 MB as YAML: 10 s)
MAX_HEIGHT = 150  # pixels of one value's box; longer values scroll
WRAP = 36  # characters a line of the box holds at the inspector's usual width (the box's height is guessed)


class RunValues(QWidget):
    """One step's record in a past run: status and duration, then its inputs and output."""

    def __init__(self, run_id: str, record: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runValues")
        self.texts: dict[str, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(section(f"In run {run_id[:6]}"))
        if record is None:
            self.status = note("This step did not run in this run.")
            layout.addWidget(self.status)
            return
        self.status = note(f"{record.status} · {duration_text(record.duration)}", "fieldHelp")
        layout.addWidget(self.status)
        for title, value in (("Inputs", record.inputs), ("Output", record.output)):
            layout.addLayout(self._value(title, value))

    def _value(self, title: str, value: Any) -> QVBoxLayout:
        shown = _shown(value)
        self.texts[title] = shown
        caption = QLabel(title)
        caption.setObjectName("fieldLabel")
        copy = QToolButton()
        copy.setObjectName(f"copy{title}")
        copy.setText("Copy")
        copy.setAutoRaise(True)
        copy.setToolTip(f"Copy the whole {title.lower()} of this run")
        copy.setEnabled(value not in (None, {}))
        copy.clicked.connect(lambda _checked=False, v=value: QGuiApplication.clipboard().setText(_whole(v)))
        head = QHBoxLayout()
        head.addWidget(caption)
        head.addStretch(1)
        head.addWidget(copy)
        box = QPlainTextEdit()
        box.setObjectName(f"run{title}")
        box.setReadOnly(True)
        box.setFont(monospace_font())
        box.setPlainText(shown or "(none)")
        lines = sum(len(line) // WRAP + 1 for line in shown.splitlines()[:40])  # as tall as a short value needs
        box.setFixedHeight(min(MAX_HEIGHT, box.fontMetrics().lineSpacing() * (lines + 1) + 12))
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addLayout(head)
        column.addWidget(box)
        return column


def _shown(value: Any) -> str:
    """The value as the box shows it: YAML when small, else its first characters as JSON (never encoded whole)."""
    if value in (None, {}):
        return ""
    start = compact(value, YAML_CHARS)
    if not start.endswith("…"):
        return pretty(value, "yaml")
    return compact(value, VIEW_LIMIT) + "\n(the start of a long value: Copy copies all of it, as JSON)"


def _whole(value: Any) -> str:
    return pretty(value, "yaml") if not compact(value, YAML_CHARS).endswith("…") else pretty(value)
