"""The tray icon: its state badge, its menu (Open, Run ▸, Pause/Resume all, recent runs, Quit) and its messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from engine.errors import one_line
from gui.shell.icons import FAILED, IDLE, PAUSED, RUNNING, state_icon, status_icon

RECENT_RUNS = 5
WORKER_LINE = 56  # characters of the worker's line in the menu (the tooltip has it all)


@dataclass(frozen=True)
class TrayWorkflow:
    name: str
    path: str
    runnable: bool = True


@dataclass(frozen=True)
class TrayRun:
    run_id: str
    workflow: str
    status: str
    started: float


def tray_state(running: int, paused: bool, last_failed: bool) -> str:
    """Which badge wins: work in progress first, then a failure to look at, then paused."""
    if running:
        return RUNNING
    if last_failed:
        return FAILED
    if paused:
        return PAUSED
    return IDLE


class Tray(QObject):
    """Owns the QSystemTrayIcon and its menu; says what the person asked for through signals."""

    open_requested = Signal()
    run_requested = Signal(str)  # workflow path
    pause_requested = Signal(bool)  # True: pause all, False: resume all
    run_selected = Signal(str)  # run id: a recent run or a clicked failure message
    settings_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = IDLE
        self.icon = QSystemTrayIcon(state_icon(IDLE), self)
        self.icon.setToolTip("Flowdeck")
        self.menu = QMenu()
        self.worker_action = self.menu.addAction("")  # the app as a broker's worker: what it is now (broker_worker)
        self.worker_action.setEnabled(False)
        self.worker_action.setVisible(False)
        self.worker_end = self.menu.addSeparator()
        self.worker_end.setVisible(False)
        self._worker = ""
        self.open_action = self.menu.addAction("&Open Flowdeck", self.open_requested.emit)
        self.run_menu = self.menu.addMenu("&Run")
        self.pause_action = self.menu.addAction("&Pause all", self._toggle_pause)
        self.menu.addSeparator()
        self.recent_header = self.menu.addSection("Recent runs")
        # A fixed set of rows, updated in place: deleting actions of a live menu left Qt a deferred delete of a
        # freed object when the menu went first (a crash seen in the test suite).
        self._recent_rows: list[QAction] = []
        for _ in range(RECENT_RUNS):
            action = self.menu.addAction("")
            action.triggered.connect(lambda _=False, a=action: self.run_selected.emit(a.data()))
            self._recent_rows.append(action)
        self.recent_end = self.menu.addSeparator()
        self.menu.addAction("&Settings…", self.settings_requested.emit)
        self.quit_action = self.menu.addAction("&Quit Flowdeck", self.quit_requested.emit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self._message_clicked)
        self._paused = False
        self._running: int = 0
        self._last_failed: str | None = None
        self._message_run: str | None = None
        self.set_workflows([])
        self.set_recent([])

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    # -- what the menu shows -------------------------------------------------------------------
    def set_workflows(self, workflows: list[TrayWorkflow]) -> None:
        self.run_menu.clear()
        for wf in sorted(workflows, key=lambda w: w.name.lower()):
            action = self.run_menu.addAction(wf.name, lambda p=wf.path: self.run_requested.emit(p))
            action.setEnabled(wf.runnable)
            action.setData(wf.path)
            if not wf.runnable:
                action.setToolTip("This workflow has problems; open it to fix them")
        if not workflows:
            self.run_menu.addAction("No workflows yet").setEnabled(False)

    @property
    def recent_actions(self) -> list[QAction]:
        """The recent-run rows the menu shows now ("No runs yet" alone when there are none)."""
        return [a for a in self._recent_rows if a.isVisible()]

    def set_recent(self, runs: list[TrayRun]) -> None:
        shown = runs[:RECENT_RUNS]
        for i, action in enumerate(self._recent_rows):
            if i < len(shown):
                run = shown[i]
                when = datetime.fromtimestamp(run.started).strftime("%H:%M") if run.started else ""
                action.setIcon(status_icon(run.status))
                action.setText(f"{run.workflow} — {run.status} {when}".rstrip())
                action.setData(run.run_id)
                action.setEnabled(True)
                action.setVisible(True)
            elif i == 0:
                action.setIcon(QIcon())
                action.setText("No runs yet")
                action.setData(None)
                action.setEnabled(False)
                action.setVisible(True)
            else:
                action.setVisible(False)

    def set_state(self, running: int, paused: bool, last_failed: str | None) -> None:
        """``last_failed`` names the workflow whose latest run failed, if any."""
        self._paused, self._running, self._last_failed = paused, running, last_failed
        self.pause_action.setText("Res&ume all" if paused else "&Pause all")  # R is Run ▸
        state = tray_state(running, paused, bool(last_failed))
        if state != self.state:
            self.state = state
            self.icon.setIcon(state_icon(state))
        parts = ["Flowdeck"]
        if running:
            parts.append(f"{running} running")
        if paused:
            parts.append("paused: no triggers fire")
        if last_failed:
            parts.append(f"last run failed: {last_failed}")
        if len(parts) == 1:
            parts.append("idle")
        if self._worker:
            parts.append(self._worker)
        self.icon.setToolTip(" — ".join(parts[:2]) + "".join(f"\n{p}" for p in parts[2:]))

    def set_worker(self, text: str, line: str = "") -> None:
        """What the app is as a worker of a broker ("" when it is none): ``line`` (or the start of ``text``) is the
        first line of the menu, ``text`` the tooltip's last."""
        self._worker = text
        self.worker_action.setText(one_line(line or text, WORKER_LINE))  # a long one would make the menu wide
        self.worker_action.setToolTip(text)
        self.worker_action.setVisible(bool(text))
        self.worker_end.setVisible(bool(text))
        self.set_state(self._running, self._paused, self._last_failed)

    # -- messages ------------------------------------------------------------------------------
    def message(self, title: str, text: str, level: str = "info", run_id: str | None = None) -> None:
        """Show a tray message; clicking it selects ``run_id`` (if given)."""
        self._message_run = run_id
        icon = {
            "error": QSystemTrayIcon.MessageIcon.Critical,
            "warning": QSystemTrayIcon.MessageIcon.Warning,
        }.get(level, QSystemTrayIcon.MessageIcon.Information)
        self.icon.showMessage(one_line(title, 80), one_line(text), icon, 15000)

    def _message_clicked(self) -> None:
        if self._message_run:
            self.run_selected.emit(self._message_run)
        else:
            self.open_requested.emit()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()

    def _toggle_pause(self) -> None:
        self.pause_requested.emit(not self._paused)
