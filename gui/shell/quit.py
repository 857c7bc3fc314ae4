"""Quitting with runs still going: ask whether to wait for them or stop them, then wait without freezing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

WAIT, STOP, CANCEL = "wait", "stop", "cancel"
QUIT, MINIMISE = "quit", "minimise"
STOP_TIMEOUT = 10.0


def ask_quit_or_minimise(parent: QWidget | None) -> str:
    """With no system tray, closing the window cannot mean "keep running in the tray": ask, and say why."""
    box = QMessageBox(parent)
    box.setWindowTitle("Close Flowdeck")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText("Your desktop has no system tray, so Flowdeck cannot keep running there.")
    box.setInformativeText(
        "Quit stops all schedules and triggers. Minimise keeps them running with the window minimised."
    )
    quit_button = box.addButton("&Quit", QMessageBox.ButtonRole.DestructiveRole)
    minimise = box.addButton("&Minimise", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(minimise)
    box.exec()
    clicked = box.clickedButton()
    return QUIT if clicked is quit_button else MINIMISE if clicked is minimise else CANCEL


def stop_triggers(service: Any, wait: bool) -> threading.Thread:
    """Stop the service's triggers now, on a thread of its own (stopping may wait for runs, as ``wait`` says);
    the engine's runs are waited for, or cancelled, by the RunWaiter."""
    grace = 24 * 3600.0 if wait else 0.0

    def stop() -> None:
        if service is not None:
            service.stop(grace)

    stopper = threading.Thread(target=stop, name="flowdeck-stop-triggers", daemon=True)
    stopper.start()
    return stopper


def finish_in_background(stopper: threading.Thread | None, engine: Any, then: Callable[[], None]) -> None:
    """Wait for the trigger stopper, shut the engine down off the GUI thread (the window stays responsive), then
    call ``then``; after STOP_TIMEOUT seconds ``then`` is called whatever happens, so quitting is always prompt."""

    def stop() -> None:
        if stopper is not None:
            stopper.join(STOP_TIMEOUT)
        if engine is not None:
            engine.shutdown(0.0)

    worker = threading.Thread(target=stop, name="flowdeck-stop", daemon=True)
    worker.start()
    deadline = time.monotonic() + STOP_TIMEOUT

    def check() -> None:
        if worker.is_alive() and time.monotonic() < deadline:
            QTimer.singleShot(50, check)
            return
        then()

    check()


def ask_about_runs(handles: list[Any], parent: QWidget | None = None) -> str:
    """WAIT, STOP or CANCEL, asked with the names of the runs still going."""
    names = "\n".join(f"  • {h.workflow}" for h in handles[:10])
    more = f"\n  … and {len(handles) - 10} more" if len(handles) > 10 else ""
    box = QMessageBox(parent)
    box.setWindowTitle("Quit Flowdeck")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText(f"{len(handles)} run{'s are' if len(handles) > 1 else ' is'} still going:\n{names}{more}")
    box.setInformativeText("No new runs will start. Wait for these to finish, or stop them now?")
    wait = box.addButton("&Wait", QMessageBox.ButtonRole.AcceptRole)
    stop = box.addButton("&Stop them and quit", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(wait)
    box.exec()
    clicked = box.clickedButton()
    return WAIT if clicked is wait else STOP if clicked is stop else CANCEL


class RunWaiter:
    """Polls the engine until no run is active, showing progress; "Stop them" cancels what is left.

    ``done()`` is called once, when nothing runs any more (or ``stop_timeout`` after stopping).
    """

    def __init__(
        self,
        active: Callable[[], list[Any]],
        done: Callable[[], None],
        parent: QWidget | None = None,
        stop_now: bool = False,
        stop_timeout: float = 10.0,
    ) -> None:
        self.active = active
        self.done = done
        self.stop_timeout = stop_timeout
        self._stopped_for = 0.0
        self._finished = False
        self.dialog = QProgressDialog("Waiting for runs to finish…", "Stop them and quit", 0, 0, parent)
        self.dialog.setWindowTitle("Quitting Flowdeck")
        self.dialog.setMinimumDuration(0)
        self.dialog.hide()
        self.dialog.canceled.connect(self.stop)
        self.timer = QTimer()
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._poll)
        self.stopping = False
        if stop_now:
            self.stop()
        self.timer.start()
        QTimer.singleShot(300, self._show_if_waiting)  # quick endings need no dialog
        self._poll()

    def _show_if_waiting(self) -> None:
        if not self._finished:
            self.dialog.show()
            self.dialog.raise_()

    def stop(self) -> None:
        self.stopping = True
        self.dialog.setLabelText("Stopping runs…")
        for handle in self.active():
            handle.cancel()

    def _poll(self) -> None:
        if self._finished:
            return
        left = self.active()
        if self.stopping:
            self._stopped_for += self.timer.interval() / 1000
        if left and not (self.stopping and self._stopped_for >= self.stop_timeout):
            if not self.stopping:
                self.dialog.setLabelText(f"Waiting for {len(left)} run{'s' if len(left) > 1 else ''} to finish…")
            return
        self._finished = True
        self.timer.stop()
        self.dialog.reset()
        self.dialog.hide()
        self.done()
