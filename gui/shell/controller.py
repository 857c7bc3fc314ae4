"""The app controller: hosts the engine service for the app's whole life; the window is one view of it.

It wires the tray, the dashboard and history pages, the single-instance server and the settings together, keeps
Flowdeck in the tray when the window closes, and quits cleanly (triggers off, runs finished or stopped).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, QUrl
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from gui.shell import window as win
from gui.shell.banner import TAKEOVER_POLL
from gui.shell.broker_worker import follow as follow_broker
from gui.shell.closing import Closing
from gui.shell.dashboard import DashboardPage
from gui.shell.host import GuiHost
from gui.shell.logs import log_folder
from gui.shell.notarmed import NotArmedBanner, show_not_armed, with_not_armed
from gui.shell.opener import open_url
from gui.shell.relay import Relay
from gui.shell.settings import Settings, load_settings, save_settings
from gui.shell.status import RunStatus
from gui.shell.takeover import TakeOver
from gui.shell.theme import apply_theme
from gui.shell.tray import Tray, TrayWorkflow

log = logging.getLogger("flowdeck.app")


def engine_version() -> str:
    import engine

    return engine.__version__


class AppController(TakeOver, Closing, QObject):
    def __init__(self, app: QApplication, instance: Any = None, settings: Settings | None = None) -> None:
        super().__init__()
        self.app = app
        self.instance = instance
        self.settings = settings or load_settings()
        self.host = GuiHost(self)
        self.relay = Relay(self)
        self.tray = Tray(self)
        self.broker_worker: Any = None  # the app as a worker of a daemon's broker (gui/shell/broker_worker.py)
        self.engine: Any = None
        self.service: Any = None
        self.history: Any = None  # a reader of its own, used on the GUI thread only
        self.window: QWidget | None = None
        self.dashboard: DashboardPage | None = None
        self.not_armed_banner: NotArmedBanner | None = None  # over the window's pages (gui/shell/notarmed.py)
        self._unsaved_templates: set[str] = set()  # copies of templates, switched off until saved in the editor
        self.history_page: Any = None
        self.history_slot: win.PageSlot | None = None  # the History page's place in the window (filled later)
        self.status = RunStatus()
        self.quitting = False
        self.tray_available = False
        self._dashboard_stale = True
        self._waiter: Any = None
        self._stopper: Any = None
        self._refresh = QTimer(self, singleShot=True, interval=250)
        self._refresh.timeout.connect(self.refresh)
        self._clock = QTimer(self, interval=30_000)  # "in 5 min" stays true while the window is shown
        self._clock.timeout.connect(self.refresh)
        self.busy = ""  # who runs the workspace when another process does (then self.service is None)
        self._takeover = QTimer(self, interval=int(TAKEOVER_POLL * 1000))  # "Take over when it stops"
        self._takeover.timeout.connect(self._try_take_over)
        app.setQuitOnLastWindowClosed(False)

    # -- start-up ------------------------------------------------------------------------------
    def start(self, files: list[str] | None = None, minimized: bool = False) -> None:
        """Show the window first (fast), then start the engine side once the window has painted.

        Started minimised into a tray, the window is not even made until it is first opened: the editor's
        widgets are a fifth of the memory of an app that idles in the tray (measured: ~20 of ~120 MB).
        """
        apply_theme(self.app, self.settings.theme)
        self.tray_available = Tray.available()
        self._connect_tray()
        if self.tray_available:
            self.tray.show()
        in_tray = minimized and self.tray_available and not files
        if not in_tray:
            self._build_window()
            assert self.window is not None
            self.window.show()
        log.info("Flowdeck %s started (%s)", engine_version(), "in the tray" if in_tray else "window shown")
        if self.instance is not None:
            self.instance.request_received.connect(self.handle_request)
        self.host.notified.connect(lambda title, text, level: self.tray.message(title, text, level))
        self.broker_worker = follow_broker(self.broker_worker, self.settings, self.host, self.tray, self)
        self.relay.run_started.connect(self._run_started)
        self.relay.run_finished.connect(self._run_finished)
        self.relay.service_changed.connect(lambda _e: self._refresh.start())
        self.relay.service_changed.connect(  # a desktop trigger that could not be armed (a hotkey already taken...)
            lambda e: self.tray.message("Trigger not armed", e.message, "warning") if e.kind == "not_armed" else None
        )
        if self.window is None:
            QTimer.singleShot(0, lambda: self._start_or_explain(files or []))
        else:
            # after the editor page, which the window makes right after its paint too: the window is whole by the
            # time the service says it started (a click then lands on the page it was aimed at)
            later = lambda: QTimer.singleShot(0, lambda: self._start_or_explain(files or []))  # noqa: E731
            win.after_first_paint(self.window, later)

    def _build_window(self) -> None:
        """The window with its pages: the workflows page, the editor, and the history once there is one."""
        if self.engine is None and not win.takes_engine_later():  # this window wants its engine before the paint
            try:
                self._make_engine()
            except Exception:  # explained in the window once it shows (see _start_or_explain)
                log.exception("the engine could not be made")
        self.window = win.make_window(self.engine, _make_bridge(self.engine) if self.engine else None)
        self.window.installEventFilter(self)
        self._add_menus()
        self.not_armed_banner = NotArmedBanner()
        self.not_armed_banner.open_requested.connect(self.open_file)
        self.not_armed_banner.retry_requested.connect(self._arm_again)
        win.add_banner(self.window, self.not_armed_banner)
        show_not_armed(self.service, self.not_armed_banner)
        self.dashboard = DashboardPage(self.settings.workspace_path)
        self._connect_dashboard()
        win.add_page(self.window, "Workflows", self.dashboard, index=0)
        win.show_page(self.window, self.dashboard)
        self.history_slot = win.PageSlot("Reading the history…")  # its place in the bar from the first paint
        win.add_page(self.window, "History", self.history_slot, index=1)
        if self.history is not None:
            self._add_history_page()
        if self.busy:
            self.dashboard.set_busy(self.busy, waiting=self._takeover.isActive())
        self._dashboard_stale = True
        log.info("window made")

    def _start_or_explain(self, files: list[str]) -> None:
        """Serve later launches, then start the service; if it cannot start, say why in the window instead of dying
        with a traceback. (A launch meanwhile retries its request: SingleInstance.send.)"""
        if self.instance is not None:
            self.instance.listen()
        try:
            self._start_service()
        except Exception as exc:
            log.exception("the engine service did not start")
            self.show_window()
            assert self.dashboard is not None
            self.dashboard.show_problem(f"Flowdeck could not start its engine service: {exc}")
            if self.history_slot is not None and self.history_page is None:
                self.history_slot.say(f"No history to show: Flowdeck could not start its engine service ({exc}).")
        for path in files:  # the editor opens files with or without the service
            self.open_file(path)

    def _make_engine(self) -> None:
        from gui.shell import services

        self.engine = services.make_engine(self.settings, self.host)
        self.relay.attach(engine=self.engine)

    def _start_service(self) -> None:
        from gui.shell import services

        if self.engine is None:
            self._make_engine()
            if self.window is not None and hasattr(self.window, "set_engine"):
                self.window.set_engine(self.engine, _make_bridge(self.engine))
        self.history = services.history_reader()
        if self.window is not None:
            self._add_history_page()
        self.status.seed(self.history)
        if self._arm():
            self.refresh()

    def _add_history_page(self) -> None:
        from gui.shell.history_page import HistoryPage

        self.history_page = HistoryPage(self.history)
        self.history_page.rerun_requested.connect(self.rerun)
        self.history_page.open_requested.connect(self.open_run_in_editor)
        self.history_page.cleared.connect(lambda _n: self._refresh.start())
        assert self.history_slot is not None
        self.history_slot.fill(self.history_page)

    def _add_menus(self) -> None:
        assert self.window is not None
        file_menu = win.menu(self.window, "File")
        file_menu.addSeparator()
        file_menu.addAction("Settings…", self.open_settings)
        quit_action = file_menu.addAction("Quit Flowdeck", self.quit)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setObjectName("quit")
        help_menu = win.menu(self.window, "Help")
        help_menu.addAction("Open log folder", self.open_log_folder)
        help_menu.addAction("About Flowdeck", self.about)

    def _connect_tray(self) -> None:
        self.tray.open_requested.connect(self.show_window)
        self.tray.run_requested.connect(self.run_now)
        self.tray.pause_requested.connect(self.set_paused)
        self.tray.run_selected.connect(self.show_run)
        self.tray.settings_requested.connect(self.open_settings)
        self.tray.quit_requested.connect(self.quit)

    def _connect_dashboard(self) -> None:
        assert self.dashboard is not None
        self.dashboard.run_requested.connect(self.run_now)
        self.dashboard.open_requested.connect(self.open_file)
        self.dashboard.enable_changed.connect(self.set_enabled)
        self.dashboard.template_chosen.connect(self.new_from_template)
        self.dashboard.history_requested.connect(self.show_workflow_history)
        self.dashboard.resume_requested.connect(lambda: self.set_paused(False))
        self.dashboard.banner.take_over_requested.connect(self.take_over_when_free)
        from gui.shell.saved_values import attach

        attach(self.dashboard)  # the rows' context menu: "Saved values…"

    # -- state shown in the tray and the dashboard --------------------------------------------
    def refresh(self) -> None:
        """Re-read workflows from the service (the service watches the workspace) into dashboard and tray."""
        found = show_not_armed(self.service, self.not_armed_banner)  # the banner and the editor's trigger cards
        if self.service is None:
            return
        infos = self.service.workflows()
        self.tray.set_workflows([TrayWorkflow(i.name, str(i.path), i.valid) for i in infos])
        self._update_tray()
        if self.window is not None and self.dashboard is not None and self.window.isVisible():
            self.dashboard.paused = bool(self.service.paused)
            self.dashboard.paused_bar.setVisible(self.dashboard.paused)
            self.dashboard.set_rows([with_not_armed(self.status.row(info, self.history), found) for info in infos])
            problem = self.service.workspace_problem  # the folder was removed: say so instead of "no workflows yet"
            self.dashboard.show_problem(problem[:1].upper() + problem[1:])
            self._dashboard_stale = False
        else:
            self._dashboard_stale = True  # nobody looks: build the rows when the window shows again

    def _arm_again(self) -> None:
        """The banner's Try again: off the GUI thread (a D-Bus or X connection may take a moment to refuse)."""
        if self.service is not None:
            log.info("trying the triggers that are not armed again")
            threading.Thread(target=self.service.arm_again, name="flowdeck-arm-again", daemon=True).start()

    def _update_tray(self) -> None:
        paused = bool(self.service is not None and self.service.paused)
        self.tray.set_state(len(self.status.running), paused, self.status.last_failed)
        self.tray.set_recent(list(self.status.recent))

    def _run_started(self, event: Any) -> None:
        self.status.started(event.run_id)
        log.info("run started: %s (%s) run %s", event.workflow, event.data.get("source"), event.run_id)
        self._update_tray()

    def _run_finished(self, event: Any) -> None:
        status = event.data.get("status", "")
        error = event.data.get("error") or {}
        log.info("run finished: %s %s run %s %s", event.workflow, status, event.run_id, error.get("message", ""))
        self.status.finished(event.run_id, event.workflow, status, event.time)
        if status == "failed" and self.settings.notify_failure:
            where = f"step “{error.get('step')}”: " if error.get("step") else ""
            self.tray.message(f"{event.workflow} failed", where + str(error.get("message", "")), "error", event.run_id)
            log.info("notified failure of run %s", event.run_id)
        elif status == "succeeded" and self.settings.notify_success:
            self.tray.message(f"{event.workflow} succeeded", "The run finished without errors.", "info", event.run_id)
        self._update_tray()
        if self.history_page is not None:
            QTimer.singleShot(300, self.history_page.on_run_finished)
        self._refresh.start()

    # -- actions -------------------------------------------------------------------------------
    def run_now(self, path: str) -> None:
        if self.service is None:
            return
        try:
            handle = self.service.run_now(Path(path))
            if isinstance(handle, str):  # QUEUED: it starts when the run before it ends (overlap: queue)
                log.info("run requested: %s %s", path, handle)
                self.tray.message("Run queued", f"{Path(path).name} runs when its current run ends.", "info")
            else:
                log.info("run requested: %s run %s", path, getattr(handle, "run_id", "?"))
        except Exception as exc:  # refused (overlap: skip) or a workflow with problems: say so, never a traceback
            log.warning("cannot run %s: %s", path, exc)
            self.tray.message("Cannot run workflow", f"{Path(path).name}: {exc}", "warning")

    def rerun(self, record: Any) -> None:
        from gui.shell.history_model import get

        path = get(record, "path")
        if not path:
            QMessageBox.information(self.window, "Re-run", "This run does not say which file it came from.")
            return
        try:
            from engine.io import load_workflow

            wf = load_workflow(path)
            self.engine.submit(wf, trigger=get(record, "trigger") or None, source="rerun")
        except Exception as exc:
            QMessageBox.warning(self.window, "Re-run", f"Cannot run {path} again:\n{exc}")

    def set_enabled(self, path: str, enabled: bool) -> None:
        if self.service is None:
            return
        try:
            self.service.set_enabled(Path(path), enabled)
            log.info("%s %s", "enabled" if enabled else "disabled", path)
        except Exception as exc:  # e.g. a workflow whose triggers do not validate
            log.warning("cannot %s %s: %s", "enable" if enabled else "disable", path, exc)
            QMessageBox.warning(self.window, "Flowdeck", f"Cannot change {Path(path).name}:\n{exc}")
        self._refresh.start()

    def set_paused(self, paused: bool) -> None:
        if self.service is None:
            return
        if paused:
            self.service.pause_all()
        else:
            self.service.resume_all()
        log.info("triggers %s", "paused" if paused else "resumed")
        self._update_tray()
        if self.dashboard is not None:
            self.dashboard.set_paused(paused)

    def new_from_template(self, template: str) -> None:
        from gui.shell.templates import new_from_template

        def switched_off(target: Path) -> None:  # until the person saves it: its placeholder must not fire
            if self.service is not None:
                self.service.set_enabled(target, False)

        target = new_from_template(Path(template), self.settings.workspace_path, switched_off)
        log.info("new workflow %s from template %s (switched off until saved)", target, template)
        self._refresh.start()
        self.open_file(str(target))
        self._unsaved_templates.add(str(target.resolve()))
        editor = self.window.editor if self.window is not None and getattr(self.window, "editor_made", False) else None
        if editor is not None and self._saved_in_editor not in editor.recent_changed_callbacks:
            editor.recent_changed_callbacks.append(self._saved_in_editor)  # called on every save

    def _saved_in_editor(self) -> None:
        """A template's copy saved in the editor for the first time: its triggers are switched on."""
        if self.window is None or not getattr(self.window, "editor_made", False):
            return
        document = self.window.editor.document
        key = str(document.path.resolve()) if document.path else ""
        if key in self._unsaved_templates and not document.is_modified():
            self._unsaved_templates.discard(key)
            if self.service is not None:
                self.service.set_enabled(Path(key), True)
                log.info("enabled %s: saved from its template", key)
            self._refresh.start()

    def open_file(self, path: str) -> bool:
        self.show_window()
        assert self.window is not None
        ok = win.open_file(self.window, path)
        if ok:
            log.info("opened %s", path)
        else:
            log.warning("could not open %s", path)
        return ok

    def show_run(self, run_id: str) -> None:
        self.show_window()
        if self.history_page is not None and self.window is not None:
            win.show_page(self.window, self.history_slot)
            self.history_page.open_run(run_id)
            log.info("showing run %s", run_id)
        self.status.acknowledge()
        self._update_tray()

    def open_run_in_editor(self, record: Any) -> None:
        """History's Open in editor: the run on its workflow's canvas; a file that is gone is said on the page."""
        from gui.editor.pastrun import file_problem

        problem = file_problem(record)
        if problem is None and self.window is not None and hasattr(self.window, "editor"):
            win.show_page(self.window, self.window.editor)
            problem = self.window.editor.open_run(record)
        if problem and self.history_page is not None:
            self.history_page.say(problem)

    def show_workflow_history(self, name: str) -> None:
        self.show_window()
        if self.history_page is not None and self.window is not None:
            win.show_page(self.window, self.history_slot)
            self.history_page.show_workflow(name)

    def show_window(self) -> None:
        if self.window is None:
            self._build_window()
            assert self.window is not None
        self.window.show()
        if self.window.isMinimized():
            self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def handle_request(self, request: dict[str, Any]) -> None:
        """A second launch handed over: show the window, and open the files it named."""
        log.info("request from another launch: %s", request)
        files = [str(f) for f in request.get("files") or []]
        if files:
            for path in files:
                self.open_file(path)
        else:
            self.show_window()

    def open_log_folder(self) -> None:
        open_url(QUrl.fromLocalFile(str(log_folder())))

    def about(self) -> None:
        from gui.shell.about import AboutDialog

        AboutDialog(log_folder(), self.window).exec()

    def open_settings(self) -> None:
        from gui.shell.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self.window)
        if dialog.exec():
            self.apply_settings(dialog.result_settings())

    def apply_settings(self, new: Settings) -> None:
        from gui.shell import autostart

        old, self.settings = self.settings, new
        save_settings(new)
        log.info("settings saved: %s", new)
        if new.theme != old.theme:
            apply_theme(self.app, new.theme)
        if new.start_at_login != old.start_at_login:
            backend = autostart.for_platform()
            try:
                backend.enable() if new.start_at_login else backend.disable()
            except OSError as exc:
                QMessageBox.warning(self.window, "Start at login", f"Could not change the start-at-login entry:\n{exc}")
        armed = self.service is not None or bool(self.busy)
        if (new.workspace_path, new.workers) != (old.workspace_path, old.workers) and armed:
            self._restart_service(new_engine=new.workers != old.workers)
        if self.dashboard is not None:
            self.dashboard.set_workspace(new.workspace_path)
        self.broker_worker = follow_broker(self.broker_worker, new, self.host, self.tray, self)

    def _restart_service(self, new_engine: bool) -> None:
        """New workspace or worker count: start a new service (and engine); the old ones finish their runs aside."""
        from gui.shell import services

        old_service, old_engine = self.service, self.engine
        if old_service is not None:
            old_service.stop_triggers()  # gives the old workspace up now: the new service may be over the same one
        self.relay.detach()
        if new_engine:
            self.engine = services.make_engine(self.settings, self.host)
            if self.window is not None and hasattr(self.window, "set_engine"):
                self.window.set_engine(self.engine, _make_bridge(self.engine))
        self.service = None
        self.relay.attach(engine=self.engine)
        self._arm()
        self.status.forget()

        if new_engine:  # the old service's triggers are off; its runs finish on the old engine, aside
            threading.Thread(target=old_engine.shutdown, args=(60.0,), name="flowdeck-old-engine", daemon=True).start()
        log.info("service restarted: workspace %s, %d workers", self.settings.workspace_path, self.settings.workers)
        self.refresh()

    # -- closing and quitting ------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self._clock.start() if event.type() == QEvent.Type.Show else self._clock.stop()  # asleep in the tray
            if event.type() == QEvent.Type.Show and self._dashboard_stale:
                self._refresh.start()
        if watched is self.window and event.type() == QEvent.Type.Close and not self.quitting:
            event.ignore()
            self.close_window()
            return True
        return super().eventFilter(watched, event)


def _make_bridge(engine: Any) -> Any:
    """The editor's engine bridge (queued Qt signals for every engine event), if the editor has one."""
    try:
        from gui.bridge import EngineBridge
    except ImportError:
        return None
    return EngineBridge(engine)
