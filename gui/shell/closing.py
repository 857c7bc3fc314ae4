"""Closing the window and quitting the app: to the tray, or for good once unsaved work and running runs are settled.

A mixin of the app controller (gui/shell/controller.py); the dialogs and the waiting are in gui/shell/quit.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from gui.shell.settings import save_settings

log = logging.getLogger("flowdeck.app")

TRAY_CHECK_MS = 2000  # how often a hidden window looks whether the tray is still there
TRAY_HINT = "Flowdeck keeps running in the tray and runs your workflows on schedule. Quit it from the tray menu."


class Closing:
    """``close_window`` (the window's close button) and ``quit`` (tray menu, Ctrl+Q) for the app controller."""

    window: Any
    engine: Any
    service: Any
    host: Any
    history: Any
    instance: Any
    tray: Any
    relay: Any
    app: Any
    settings: Any
    quitting: bool
    tray_available: bool
    _stopper: Any
    _waiter: Any
    show_window: Callable[[], None]

    def close_window(self) -> None:
        """The window's close button: hide to the tray, or without a tray ask whether to quit or minimise."""
        assert self.window is not None
        if self.tray_now():
            self.window.hide()
            log.info("window closed; still running in the tray")
            self._watch_the_tray()
            if not self.settings.tray_hint_shown:
                self.tray.message("Flowdeck is still running", TRAY_HINT)
                self.settings = self.settings.with_(tray_hint_shown=True)
                save_settings(self.settings)
            return
        from gui.shell.quit import MINIMISE, QUIT, ask_quit_or_minimise

        choice = ask_quit_or_minimise(self.window)
        if choice == QUIT:
            self.quit()
        elif choice == MINIMISE:
            self.window.showMinimized()

    def tray_now(self) -> bool:
        """Whether there is a tray to live in now: the panel that hosts it may have gone (or come) since the start."""
        from gui.shell.tray import Tray

        available = Tray.available()
        if available and not self.tray_available:
            self.tray.show()
        if available != self.tray_available:
            log.info("the system tray %s", "is back" if available else "went away")
        self.tray_available = available
        return available

    def _watch_the_tray(self) -> None:
        """While the window is hidden, the tray is its only way back: if the tray goes, the window comes back
        minimised (in the task bar) rather than leaving the app running out of reach."""
        from PySide6.QtCore import QTimer

        timer = getattr(self, "_tray_timer", None)
        if timer is None:
            timer = self._tray_timer = QTimer(interval=TRAY_CHECK_MS)
            timer.timeout.connect(self._check_the_tray)
        timer.start()

    def _check_the_tray(self) -> None:
        window = self.window
        if window is None or window.isVisible() or self.quitting:
            self._tray_timer.stop()
            return
        if not self.tray_now():
            self._tray_timer.stop()
            window.showMinimized()
            log.info("no tray to go back to: the window is shown minimised")

    def quit(self) -> None:
        """Stop triggers, let runs finish (or stop them, as the person says), and leave promptly."""
        if self.quitting:
            return
        from gui.shell.quit import CANCEL, STOP, RunWaiter, ask_about_runs, stop_triggers

        active = self.engine.active() if self.engine is not None else []
        choice = (
            ask_about_runs(active, self.window if self.window and self.window.isVisible() else None) if active else None
        )
        if choice == CANCEL:
            return
        self.quitting = True
        if not self._window_lets_go():
            self.quitting = False  # the editor kept the window open (unsaved changes, cancelled)
            return
        log.info("quitting (%s)", choice or "no runs going")
        self.host.end_questions()  # before anything else closes them: their steps say the app quit
        self._stopper = stop_triggers(self.service, wait=choice != STOP)  # no new runs while we wait
        if self.engine is not None:
            self._waiter = RunWaiter(self.engine.active, self._finish_quit, None, stop_now=choice == STOP)
        else:
            self._finish_quit()

    def _window_lets_go(self) -> bool:
        """Close the window for good; unsaved edits are asked about even when it sits hidden in the tray."""
        window = self.window
        if window is None:
            return True
        if not window.isVisible():
            if not getattr(window, "editor_made", True):  # no editor yet, so nothing unsaved (and none is made)
                return True
            editor = getattr(window, "editor", None)
            if editor is None or not editor.document.is_modified():
                return True
            self.show_window()  # the question needs its context: the workflow it is about
        return window.close()

    def _finish_quit(self) -> None:
        self.tray.hide()
        self.relay.detach()
        from gui.shell.quit import finish_in_background

        def leave() -> None:
            if self.history is not None:
                self.history.close()
            if self.instance is not None:
                self.instance.release()
            log.info("bye")
            self.app.quit()

        finish_in_background(self._stopper, self.engine, leave)
