"""One step's last rendered inputs, output and log, pretty-printed (JSON or YAML) and copyable."""

from __future__ import annotations

import time

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.inspector.widgets import monospace_font
from gui.runpanel.record import StepRecord
from gui.runpanel.status import badge_html
from gui.runpanel.values import duration_text, for_view, pretty

TABS = ("Inputs", "Output", "Log")


class StepDetail(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: StepRecord | None = None
        self.full: dict[str, str] = dict.fromkeys(TABS, "")
        self.title = QLabel()
        self.title.setTextFormat(self.title.textFormat().RichText)
        self.style_box = QComboBox()
        self.style_box.addItems(["JSON", "YAML"])
        self.style_box.setToolTip("How values are written")
        self.style_box.currentIndexChanged.connect(lambda _: self.show_record(self.record))
        self.copy = QPushButton("Copy")
        self.copy.setToolTip("Copy the whole text of this tab")
        self.copy.clicked.connect(self.copy_current)
        self.error = QLabel()
        self.error.setObjectName("stepError")
        self.error.setWordWrap(True)
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # a long address: no wider
        self.error.setStyleSheet("color: #d9534f;")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.views: dict[str, QPlainTextEdit] = {}
        for name in TABS:
            view = QPlainTextEdit()
            view.setReadOnly(True)
            view.setFont(monospace_font())
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            self.views[name] = view
            self.tabs.addTab(view, name)
        self.tabs.setCurrentIndex(1)
        self._layout()
        self.show_record(None)

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1)
        top.addWidget(self.style_box)
        top.addWidget(self.copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)

    def show_record(self, record: StepRecord | None, step_id: str | None = None) -> None:
        """Show ``record`` (None: nothing recorded for ``step_id`` in the watched run)."""
        self.record = record
        if record is None:
            name = f"“{step_id}” has not run yet in this run." if step_id else "Click a step to see its data."
            self.title.setText(f"<span style='color:gray'>{name}</span>")
            self.error.hide()
            self._fill(dict.fromkeys(TABS, ""))
            self.copy.setEnabled(False)
            return
        facts = [badge_html(record.status), f"<b>{record.id}</b>"]
        if record.duration is not None:
            facts.append(duration_text(record.duration))
        if record.attempts > 1:
            facts.append(f"{record.attempts} attempts")
        self.title.setText(" &nbsp; ".join(facts))
        self.error.setText(record.error)
        self.error.setVisible(bool(record.error))
        style = self.style_box.currentText().lower()
        logs = "\n".join(f"{_stamp(t)} {level:<7} {message}" for t, level, message in record.logs)
        self._fill({"Inputs": pretty(record.inputs, style), "Output": pretty(record.output, style), "Log": logs})
        self.copy.setEnabled(True)

    def _fill(self, texts: dict[str, str]) -> None:
        self.full = texts
        for name, view in self.views.items():
            shown, _ = for_view(texts[name], tail=name == "Log")  # a log's newest lines matter most
            if view.toPlainText() != shown:
                view.setPlainText(shown)

    def copy_current(self) -> None:
        name = TABS[self.tabs.currentIndex()]
        QGuiApplication.clipboard().setText(self.full[name])


def _stamp(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t)) + f".{int(t * 1000) % 1000:03d}"
