"""The start page: every workflow in the workspace, what starts it, when it runs next, how it last went."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.shell.banner import WorkspaceBanner, warning_text
from gui.shell.icons import status_icon
from gui.shell.opener import open_url
from gui.shell.switch import Switch

COLUMNS = ("On", "Workflow", "Starts", "Next run", "Last run", "")
ON, NAME, TRIGGERS, NEXT, LAST, ACTIONS = range(len(COLUMNS))


@dataclass(frozen=True)
class DashboardRow:
    """What the dashboard shows of one workflow (built by the app from the service and the history)."""

    name: str
    path: str
    triggers: list[str] = field(default_factory=list)
    next_run: datetime | None = None
    enabled: bool = True
    valid: bool = True
    problems: list[str] = field(default_factory=list)
    last_status: str | None = None
    last_time: float | None = None
    last_error: str = ""
    not_armed: dict[str, str] = field(default_factory=dict)  # a trigger's words → why the app could not arm it


def tilde(path: Path) -> str:
    """``~/Flowdeck`` rather than ``/home/ann/Flowdeck``: shorter, and what people recognise."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def when(ts: datetime | float | None, now: float | None = None) -> str:
    """A time a person reads at a glance: 'in 5 min', 'today 08:00', 'Mon 08:00', '2026-03-01 08:00'."""
    if ts is None:
        return "—"
    moment = ts.timestamp() if isinstance(ts, datetime) else float(ts)
    now = time.time() if now is None else now
    delta = moment - now
    if 0 <= delta < 60:  # an every-few-seconds schedule: "in 1 min" would be wrong
        return f"in {max(1, round(delta))} s"
    if 0 <= delta < 3600:
        minutes = max(1, round(delta / 60))
        return "in 1 h" if minutes == 60 else f"in {minutes} min"
    if -60 < delta < 0:
        return "just now"
    if -3600 < delta <= -60:
        return f"{round(-delta / 60)} min ago"
    dt, today = datetime.fromtimestamp(moment), datetime.fromtimestamp(now).date()
    if dt.date() == today:
        return f"today {dt:%H:%M}"
    if abs((dt.date() - today).days) < 7:
        return f"{dt:%a %H:%M}"
    return f"{dt:%Y-%m-%d %H:%M}"


class DashboardPage(QWidget):
    run_requested = Signal(str)  # workflow path
    open_requested = Signal(str)
    enable_changed = Signal(str, bool)
    template_chosen = Signal(str)  # template file
    history_requested = Signal(str)  # workflow name
    resume_requested = Signal()

    def __init__(self, workspace: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.workspace = workspace
        self.rows: list[DashboardRow] = []
        self.paused = False
        title = QLabel("Workflows")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        self.where = QLabel()
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.where.linkActivated.connect(lambda url: open_url(QUrl(url)))
        self.template_dialog: QDialog | None = None
        self.templates_folder: Path | None = None  # None: the shipped examples
        self.new_button = QPushButton("New from Template…")
        self.new_button.setObjectName("newFromTemplate")
        self.new_button.setToolTip("Pick an example, read what it does and see its steps, then make a copy of it")
        self.new_button.clicked.connect(self.pick_template)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(12)
        head.addWidget(self.where, 1)
        head.addWidget(self.new_button)
        self.paused_note = QLabel("All triggers are paused: workflows run only when you run them.")
        self.paused_note.setObjectName("pausedNote")
        self.resume = QPushButton("Resume all")
        self.resume.setObjectName("resumeAll")
        self.resume.clicked.connect(self.resume_requested.emit)
        self.paused_bar = QWidget()
        bar = QHBoxLayout(self.paused_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.paused_note, 1)
        bar.addWidget(self.resume)
        self.paused_bar.hide()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(38)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TRIGGERS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)  # sized by _fit_names
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("QLabel { background: #fdecea; color: #8a1c13; padding: 8px; border-radius: 4px; }")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.problem.hide()
        self.banner = WorkspaceBanner()  # another process runs the workspace (gui/shell/banner.py)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(head)
        layout.addWidget(self.banner)
        layout.addWidget(self.paused_bar)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addStretch(0)  # takes the room when neither is shown, so that a banner stays one banner high
        self.set_workspace(workspace)
        self.set_rows([])
        # the window paints before the service has read the workspace: "no workflows yet" would be untrue then
        self.empty.setText(f"Reading the workflows in {tilde(workspace)}…")

    def show_problem(self, message: str) -> None:
        """A banner over the table (the service did not start, the workspace cannot be read...); "" hides it."""
        self.problem.setText(message)
        self.problem.setVisible(bool(message))

    def set_busy(self, message: str, *, waiting: bool = False) -> None:
        """Another process runs the workspace: the banner says who (``message``); "" hides it again."""
        if not message:
            self.banner.clear()
            return
        self.banner.show_busy(message, waiting=waiting)
        self.set_rows([])
        self.empty.setText("Its workflows are listed here once Flowdeck runs this workspace.")

    def pick_template(self) -> None:
        """The template picker (window-modal, not blocking); the one created is emitted as ``template_chosen``."""
        from gui.shell.template_dialog import TemplateDialog

        dialog = TemplateDialog(self.templates_folder, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: dialog.chosen() and self.template_chosen.emit(dialog.chosen()))
        self.template_dialog = dialog  # tests and screenshots reach the open dialog here
        dialog.open()

    def set_paused(self, paused: bool) -> None:
        """Pause all (tray menu): every switch is shown held and nothing says when it runs next, until Resume."""
        if paused == self.paused:
            return
        self.paused = paused
        self.paused_bar.setVisible(paused)
        self.set_rows(self.rows)

    def set_workspace(self, workspace: Path) -> None:
        self.workspace = workspace
        self.where.setText(f"in <a href='{workspace.as_uri()}'>{tilde(workspace)}</a>")

    def set_rows(self, rows: list[DashboardRow]) -> None:
        """Show ``rows``, keeping the selected workflow selected."""
        selected = self.selected_path()
        self.rows = sorted(rows, key=lambda r: r.name.lower())
        self.table.setRowCount(len(self.rows))
        now = time.time()
        for i, row in enumerate(self.rows):
            self._fill(i, row, now)
        self.table.setVisible(bool(self.rows))
        # a removed workspace is told by the problem banner; inviting to make workflows there would mislead
        self.empty.setVisible(not self.rows and self.workspace.is_dir())
        self.empty.setText(
            f"No workflows in {tilde(self.workspace)} yet.\n"
            "Create one with “New from Template…”, or save one from the editor."
        )
        if selected is not None:
            self.select(selected)
        self._fit_names()

    def _fit_names(self) -> None:
        """Names as wide as they are, but at most a third of a narrow table (a window at 200 %), so what starts
        each workflow is still read; a cut name has the whole one in its tooltip."""
        wanted = self.table.sizeHintForColumn(NAME)
        self.table.setColumnWidth(NAME, max(100, min(wanted, self.table.viewport().width() // 3)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_names()

    def _fill(self, i: int, row: DashboardRow, now: float) -> None:
        switch = Switch()
        switch.setChecked(row.enabled)
        switch.setEnabled(row.valid)
        switch.set_paused(self.paused)
        switch.setToolTip(
            "Paused with all triggers (Resume all turns it back on)"
            if self.paused and row.enabled
            else "Triggers on, but not all armed (see what starts it)"
            if row.enabled and row.not_armed
            else "Triggers on"
            if row.enabled
            else "Triggers off: runs only when you run it"
        )
        switch.toggled.connect(lambda on, p=row.path: self.enable_changed.emit(p, on))
        self.table.setCellWidget(i, ON, _centered(switch))
        name = QTableWidgetItem(row.name)
        name.setData(Qt.ItemDataRole.UserRole, row.path)
        name.setToolTip("\n".join([row.name, row.path, *([] if row.valid else row.problems)]))
        bold = QFont(name.font())
        bold.setBold(True)
        name.setFont(bold)
        self.table.setItem(i, NAME, name)
        self.table.setItem(i, TRIGGERS, _starts(row))
        nxt = row.next_run if row.enabled and row.valid else None
        unarmed = row.enabled and row.valid and bool(row.triggers) and all(t in row.not_armed for t in row.triggers)
        shown = "paused" if self.paused and nxt else when(nxt, now) if nxt else "not armed" if unarmed else "—"
        self.table.setItem(i, NEXT, QTableWidgetItem(shown))
        last = QTableWidgetItem(f"{row.last_status} {when(row.last_time, now)}" if row.last_status else "never run")
        if row.last_status:
            last.setIcon(status_icon(row.last_status))
            last.setToolTip(row.last_error or row.last_status)
        self.table.setItem(i, LAST, last)
        self.table.setCellWidget(i, ACTIONS, self._actions(row))

    def _actions(self, row: DashboardRow) -> QWidget:
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(4)
        run = QPushButton("Run now")
        run.setEnabled(row.valid)
        run.setObjectName("run")
        run.clicked.connect(lambda _=False, p=row.path: self.run_requested.emit(p))
        edit = QPushButton("Open")
        edit.setObjectName("open")
        edit.setToolTip("Open in the editor")
        edit.clicked.connect(lambda _=False, p=row.path: self.open_requested.emit(p))
        runs = QPushButton("History")
        runs.setObjectName("history")
        runs.clicked.connect(lambda _=False, n=row.name: self.history_requested.emit(n))
        for button in (run, edit, runs):
            lay.addWidget(button)
        return box

    # -- lookups used by the app and tests ----------------------------------------------------
    def row_of(self, path: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.path == path), -1)

    def switch_at(self, i: int) -> Switch:
        return self.table.cellWidget(i, ON).findChild(Switch)

    def button_at(self, i: int, name: str) -> QPushButton:
        return self.table.cellWidget(i, ACTIONS).findChild(QPushButton, name)

    def selected_path(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()].path if rows and rows[0].row() < len(self.rows) else None

    def select(self, path: str) -> None:
        i = self.row_of(path)
        if i >= 0:
            self.table.selectRow(i)

    def _double_clicked(self, i: int, _col: int) -> None:
        if 0 <= i < len(self.rows):
            self.open_requested.emit(self.rows[i].path)


def _starts(row: DashboardRow) -> QTableWidgetItem:
    """What starts the workflow in words; its problem instead when it has one; a trigger the app could not arm
    marked "… (not armed)" in amber after a warning sign (seen in a column too narrow for the words), why in the
    tooltip."""
    if not row.valid:
        item = QTableWidgetItem(f"⚠ {row.problems[0] if row.problems else 'has problems'}")
        item.setToolTip("\n".join(row.problems))
        item.setForeground(Qt.GlobalColor.red)
        return item
    if not row.triggers:
        item = QTableWidgetItem("only when run by hand")
        item.setToolTip(item.text())
        return item
    unarmed = row.not_armed if row.enabled else {}
    words = ", ".join(f"{t} (not armed)" if t in unarmed else t for t in row.triggers)
    item = QTableWidgetItem(words)
    item.setToolTip("\n".join([words, *(f"Not armed: {why}" for why in unarmed.values())]))
    if unarmed:
        item.setForeground(QColor(warning_text()))
        item.setIcon(QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
    return item


def _centered(widget: QWidget) -> QWidget:
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(6, 0, 6, 0)
    lay.addWidget(widget, 0, Qt.AlignmentFlag.AlignCenter)
    return box
