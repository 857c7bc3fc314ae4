"""RunPanel: the editor's bottom panel. Status line with Stop, the run log, per-step results and step details.

Everything arrives as queued signals from the EngineBridge, so the GUI never waits for a run. Events of the
last few runs are folded into records (a run may start before ``watch`` is called); the watched one is shown.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.runtime import events as ev
from gui.runpanel.detail import StepDetail
from gui.runpanel.log import RunLog
from gui.runpanel.record import RunRecord, StepRecord
from gui.runpanel.status import run_line, status_parts
from gui.runpanel.values import duration_text
from gui.signals import disconnect

KEEP_RUNS = 5
COLUMNS = ("Step", "Status", "Duration", "Attempts")


class RunPanel(QWidget):
    stepActivated = Signal(str)

    def __init__(self, bridge: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runPanel")
        self.bridge: Any = None
        self.document: Any = None
        self.runs: OrderedDict[str, RunRecord] = OrderedDict()
        self.run_id: str | None = None
        self.selected: str | None = None
        self._rows: dict[str, int] = {}
        self._dirty: set[str] = set()
        self._refresh_timer = QTimer(self, singleShot=True, interval=100)
        self._refresh_timer.timeout.connect(self._refresh)
        self._detail_timer = QTimer(self, singleShot=True, interval=150)
        self._detail_timer.timeout.connect(lambda: self.show_step(self.selected))
        self._build()
        self.set_bridge(bridge)

    def _build(self) -> None:
        self.status = QLabel(run_line(None))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # However long a message, the status line never widens the window: it is cut, the whole is its tooltip.
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setMinimumWidth(1)
        self.stop = QPushButton("Stop")
        self.stop.setToolTip("Cancel the run (a running program is killed)")
        self.stop.setEnabled(False)
        self.stop.clicked.connect(self.cancel)
        top = QHBoxLayout()
        top.setContentsMargins(8, 4, 8, 0)
        top.addWidget(self.status, 1)
        top.addWidget(self.stop)
        self.log = RunLog()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a long title keeps its "(id)" in sight
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellClicked.connect(self._clicked)
        self.detail = StepDetail()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)  # side by side: a short dock still shows every part
        for widget in (self.log, self.table, self.detail):
            self.splitter.addWidget(widget)
            self.splitter.setCollapsible(self.splitter.indexOf(widget), False)
        self.splitter.setSizes([420, 380, 440])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    # -- contract --------------------------------------------------------------------------------
    def set_bridge(self, bridge: Any) -> None:
        if self.bridge is not None:
            disconnect(self.bridge.event, self._event)
        self.bridge = bridge
        if bridge is not None:
            bridge.event.connect(self._event)
        self._update_status()

    def set_document(self, document: Any) -> None:
        self.document = document

    def watch(self, run_id: str) -> None:
        """Show ``run_id``: its log, results and status, from the events seen so far on."""
        self.run_id = run_id
        self.log.clear_log()
        self.table.setRowCount(0)
        self._rows = {}
        self._dirty.clear()
        run = self._record(run_id)
        for step in run.steps.values():
            self._update_row(step)
        self.detail.show_record(None)
        self._update_status()

    def clear(self) -> None:
        """Show no run (New and Open: the last workflow's run is not this one's); its records are kept."""
        self.run_id = None
        self.selected = None
        self.log.clear_log()
        self.table.setRowCount(0)
        self._rows = {}
        self._dirty.clear()
        self.detail.show_record(None)
        self._update_status()

    def show_step(self, step_id: str | None) -> None:
        """Show the last rendered inputs, output and log of ``step_id`` in the watched run."""
        self.selected = step_id
        run = self.runs.get(self.run_id) if self.run_id else None
        record = run.steps.get(step_id) if run and step_id else None
        self.detail.show_record(record, step_id)
        row = self._rows.get(step_id) if step_id else None
        self.table.blockSignals(True)
        if row is None:
            self.table.clearSelection()
        else:
            self.table.selectRow(row)
        self.table.blockSignals(False)

    def cancel(self) -> bool:
        if self.bridge is None or self.run_id is None:
            return False
        return bool(self.bridge.cancel(self.run_id))

    def current(self) -> RunRecord | None:
        return self.runs.get(self.run_id) if self.run_id else None

    # -- events ----------------------------------------------------------------------------------
    def _record(self, run_id: str) -> RunRecord:
        if run_id not in self.runs:
            self.runs[run_id] = RunRecord(run_id)
            while len(self.runs) > KEEP_RUNS:
                oldest = next(iter(self.runs))
                if oldest == self.run_id:
                    self.runs.move_to_end(oldest)
                    continue
                del self.runs[oldest]
        return self.runs[run_id]

    def _event(self, event: ev.Event) -> None:
        step = self._record(event.run_id).apply(event)
        if event.run_id != self.run_id:
            return
        self.log.add(event)
        if step is not None:
            if event.kind != ev.LOG or step.id not in self._rows:
                self._dirty.add(step.id)
            if step.id == self.selected and not self._detail_timer.isActive():
                self._detail_timer.start()  # at most a few redraws a second while the step logs
        if event.kind == ev.RUN_FINISHED:
            self.log.flush()
            self._refresh()
            self.show_step(self.selected)
        elif not self._refresh_timer.isActive():
            self._refresh_timer.start()  # rows and status line: a few times a second, not per event

    def _refresh(self) -> None:
        self._refresh_timer.stop()
        run = self.current()
        if run is not None and self._dirty:
            for step in [s for s in run.steps.values() if s.id in self._dirty]:  # new rows in the order they ran
                self._update_row(step)
        self._dirty.clear()
        self._update_status()

    def _update_row(self, step: StepRecord) -> None:
        row = self._rows.get(step.id)
        if row is None:
            row = self.table.rowCount()
            self.table.insertRow(row)
            self._rows[step.id] = row
        symbol, words, colour = status_parts(step.status)
        title = self._title(step.id)
        cells = (
            (title, None),
            (f"{symbol} {words}", colour),
            (duration_text(step.duration) if step.duration is not None else "", None),
            (str(step.attempts) if step.attempts > 1 else "1", None),
        )
        for col, (text, fg) in enumerate(cells):
            item = self.table.item(row, col)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, col, item)
            item.setText(text)
            if fg is not None:
                item.setForeground(fg)
            if col == 0:
                item.setData(Qt.ItemDataRole.UserRole, step.id)
                item.setToolTip("\n".join(part for part in (f"{text} · {step.block}", step.error) if part))
            if col in (2, 3):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def _title(self, step_id: str) -> str:
        steps = getattr(getattr(self.document, "workflow", None), "steps", {})
        title = steps[step_id].title if step_id in steps else ""
        return f"{title} ({step_id})" if title else step_id

    def _update_status(self) -> None:
        run = self.current()
        self.status.setText(run_line(run))
        message = (run.error or {}).get("message") if run is not None else None
        self.status.setToolTip(str(message) if message else "")
        self.stop.setEnabled(run is not None and run.status == "running" and self.bridge is not None)

    def _clicked(self, row: int, _col: int) -> None:
        item = self.table.item(row, 0)
        step_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        if step_id:
            self.show_step(step_id)
            self.stepActivated.emit(step_id)
