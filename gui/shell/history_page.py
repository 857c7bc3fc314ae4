"""The run history page: filter runs, open one to its steps (inputs, output, logs, time, attempts), re-run, clear."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.elided import ElidedLabel
from gui.shell.history_model import (
    RECORD_ROLE,
    RunFilter,
    RunsModel,
    duration_text,
    error_message,
    get,
    run_duration,
    source_text,
    step_name,
    step_status,
    timestamp,
    version_text,
)
from gui.shell.icons import status_icon

STATUSES = (
    ("Any status", None),
    ("Succeeded", "succeeded"),
    ("Failed", "failed"),
    ("Cancelled", "cancelled"),
    ("Skipped (not run)", "skipped"),  # fires that did not run, with their reason (History.record_skipped)
)
PERIODS = (
    ("Any time", None),
    ("Last hour", timedelta(hours=1)),
    ("Last 24 hours", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
)


class HistoryPage(QWidget):
    rerun_requested = Signal(object)  # the run record
    open_requested = Signal(object)  # the run record: show it in the editor (gui.editor.pastrun)
    cleared = Signal(str)  # workflow name, "" for all

    def __init__(self, history: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history")
        self.history = history
        self.model = RunsModel(history, self)
        self.workflow = QComboBox()
        self.workflow.setMinimumContentsLength(18)
        self.status = QComboBox()
        for text, value in STATUSES:
            self.status.addItem(text, value)
        self.period = QComboBox()
        for text, value in PERIODS:
            self.period.addItem(text, value)
        self.clear_button = QPushButton("Clear history…")
        self.clear_button.clicked.connect(self._clear)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Workflow:"))
        bar.addWidget(self.workflow)
        bar.addWidget(self.status)
        bar.addWidget(self.period)
        bar.addStretch(1)
        bar.addWidget(self.clear_button)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for col, width in enumerate((100, 170, 60, 150, 80, 90)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._run_selected)
        self.detail = RunDetail()
        self.detail.rerun.clicked.connect(lambda: self.record and self.rerun_requested.emit(self.record))
        self.detail.open_editor.clicked.connect(lambda: self.record and self.open_requested.emit(self.record))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.record: Any = None
        self.refresh_workflows()
        for combo in (self.workflow, self.status, self.period):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.apply_filter()

    # -- filters -------------------------------------------------------------------------------
    def refresh_workflows(self) -> None:
        current = self.workflow.currentData()
        self.workflow.blockSignals(True)
        self.workflow.clear()
        self.workflow.addItem("All workflows", None)
        for name in sorted(self.history.workflows(), key=str.lower):
            self.workflow.addItem(name, name)
        i = self.workflow.findData(current)
        self.workflow.setCurrentIndex(max(i, 0))
        self.workflow.blockSignals(False)

    def current_filter(self) -> RunFilter:
        period = self.period.currentData()
        since = datetime.now() - period if period else None
        return RunFilter(workflow=self.workflow.currentData(), status=self.status.currentData(), since=since)

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        self.clear_button.setText(
            f"Clear history of {self.workflow.currentData()}…" if self.workflow.currentData() else "Clear all history…"
        )
        self.show_record(None)

    def show_workflow(self, name: str) -> None:
        self.refresh_workflows()
        i = self.workflow.findData(name)
        if i >= 0:
            self.workflow.setCurrentIndex(i)

    def on_run_finished(self) -> None:
        """A run ended somewhere: take it in at the top, and learn a new workflow name if there is one."""
        if self.workflow.count() - 1 != len(self.history.workflows()):
            self.refresh_workflows()
        self.model.refresh_head()

    # -- one run ---------------------------------------------------------------------------------
    def open_run(self, run_id: str) -> bool:
        """Select ``run_id`` in the table (clearing filters that hide it) and show its steps."""
        row = self.model.row_of(run_id)
        if row < 0:
            for combo in (self.workflow, self.status, self.period):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.apply_filter()
            row = self.model.row_of(run_id)
            while row < 0 and self.model.canFetchMore():
                self.model.fetchMore()
                row = self.model.row_of(run_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _run_selected(self, selected: QItemSelection, _old: QItemSelection) -> None:
        indexes = selected.indexes()
        record = self.model.data(indexes[0], RECORD_ROLE) if indexes else None
        self.show_record(self.history.run(get(record, "run_id")) if record is not None else None)

    def show_record(self, record: Any) -> None:
        self.record = record
        self.detail.show_run(record)

    def say(self, text: str) -> None:
        """One line under the run's header (why it could not be opened in the editor)."""
        self.detail.problem.setText(text)
        self.detail.problem.setVisible(bool(text))

    def _clear(self) -> None:
        name = self.workflow.currentData()
        what = f"every run of “{name}”" if name else "the history of every workflow"
        answer = QMessageBox.question(
            self, "Clear history", f"Delete {what}? This cannot be undone.", defaultButton=QMessageBox.StandardButton.No
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.clear(name)

    def clear(self, workflow: str | None) -> None:
        self.history.clear(workflow=workflow)
        self.refresh_workflows()
        self.apply_filter()
        self.cleared.emit(workflow or "")


class RunDetail(QWidget):
    """A run's header, its steps, and the selected step's inputs, output, logs and error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.rerun = QPushButton("Re-run")
        self.rerun.setToolTip("Run this workflow again with the same trigger data")
        self.open_editor = QPushButton("Open in editor")
        self.open_editor.setObjectName("openInEditor")
        self.open_editor.setToolTip("Show this run on the workflow's canvas: the path it took and each step's values")
        self.error = ElidedLabel()  # the run's error: one line cut to the width, the whole of it on hover
        self.error.setObjectName("runError")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.hide()
        self.problem = QLabel()
        self.problem.setObjectName("runProblem")
        self.problem.setStyleSheet("color: #d9534f;")
        self.problem.hide()
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.open_editor, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.rerun, 0, Qt.AlignmentFlag.AlignTop)
        self.steps = QTreeWidget()
        self.steps.setHeaderLabels(["Step", "Status", "Duration", "Attempts"])
        self.steps.setRootIsDecorated(False)
        self.steps.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.steps.header().setStretchLastSection(False)
        self.steps.currentItemChanged.connect(self._step_selected)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.steps)
        split.addWidget(self.text)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.error)
        layout.addWidget(self.problem)
        layout.addWidget(split, 1)
        self.show_run(None)

    def show_run(self, record: Any) -> None:
        self.steps.clear()
        self.text.clear()
        self.rerun.setEnabled(record is not None)
        self.open_editor.setEnabled(record is not None and bool(get(record, "steps", None)))
        self.problem.hide()
        self.error.hide()
        if record is None:
            self.title.setText("<i>Select a run to see its steps.</i>")
            return
        status = get(record, "status", "")
        started = timestamp(get(record, "started"))
        when = datetime.fromtimestamp(started).strftime("%Y-%m-%d %H:%M:%S") if started else ""
        error = error_message(record)
        self.title.setText(
            f"<b>{_esc(get(record, 'workflow', ''))}</b> — {_esc(status)} · {when} · "
            f"{duration_text(run_duration(record))} · started {_esc(source_text(get(record, 'source')))}"
            + (f" · ran {version_text(record)} of its file" if version_text(record) else "")
        )
        self.error.set_full_text(error or "")
        self.error.setVisible(bool(error))
        for step in get(record, "steps", None) or []:
            status = step_status(step)
            item = QTreeWidgetItem(
                [step_name(step), status, duration_text(get(step, "duration")), str(get(step, "attempts", 1) or 1)]
            )
            item.setIcon(0, status_icon(status))
            item.setData(0, Qt.ItemDataRole.UserRole, step)
            self.steps.addTopLevelItem(item)
        if self.steps.topLevelItemCount():
            self.steps.setCurrentItem(self.steps.topLevelItem(0))
        elif status == "skipped":  # a fire that did not run: no steps, its reason is the answer
            self.text.setPlainText(f"This fire did not run: {error}")

    def _step_selected(self, item: QTreeWidgetItem | None, _old: QTreeWidgetItem | None) -> None:
        self.text.setPlainText(step_text(item.data(0, Qt.ItemDataRole.UserRole)) if item else "")


def step_text(step: Any) -> str:
    """Inputs, output, logs and error of one step, as text a person can read and copy."""
    parts = []
    block = get(step, "block")
    if block:
        parts.append(f"block: {block}")
    error = get(step, "error")
    if error:
        parts.append("error:\n" + _indent(error.get("message", error) if isinstance(error, dict) else error))
    parts.append("inputs:\n" + _indent(get(step, "inputs")))
    parts.append("output:\n" + _indent(get(step, "output")))
    logs = get(step, "logs") or []
    lines = []
    for entry in logs:
        if isinstance(entry, dict | tuple | list) or hasattr(entry, "message"):
            ts, level, message = _log_fields(entry)
            stamp = datetime.fromtimestamp(ts).strftime("%H:%M:%S ") if isinstance(ts, int | float) else ""
            lines.append(f"{stamp}{'' if level in ('info', None) else f'{level}: '}{message}")
        else:
            lines.append(str(entry))
    parts.append("logs:\n" + ("\n".join("  " + line for line in lines) if lines else "  (none)"))
    return "\n\n".join(parts)


def _log_fields(entry: Any) -> tuple[Any, Any, Any]:
    """(time, level, message) of a log entry recorded as a mapping, an object or a (time, level, message) row."""
    if isinstance(entry, tuple | list):
        padded = [*entry, None, None, None][:3]
        return (padded[0], padded[1], padded[2]) if len(entry) >= 3 else (None, None, " ".join(map(str, entry)))
    return get(entry, "time"), get(entry, "level", "info"), get(entry, "message", "")


def _indent(value: Any) -> str:
    """Values as YAML (how workflows are written), JSON for what YAML cannot say."""
    if value is None or value == {}:
        return "  (none)"
    if isinstance(value, str):
        text = value
    else:
        import yaml

        try:
            text = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)
        except yaml.YAMLError:
            text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return "\n".join("  " + line for line in text.rstrip().splitlines())


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
