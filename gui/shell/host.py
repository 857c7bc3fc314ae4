"""The desktop host blocks use while they run (engine Host protocol): tray messages, the clipboard, opening things.

Blocks run on worker threads, and Qt's clipboard and desktop services belong to the GUI thread, so every call is
marshalled there with a queued signal and waited for; a timeout keeps a busy GUI from hanging a run forever.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from engine.errors import StepError
from gui.shell.opener import open_with_opener, system_opens_itself

_GUI_TIMEOUT = 10.0


class _Job:
    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn = fn
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class GuiHost(QObject):
    """Implements engine.registry.context.Host for runs inside the app.

    ``notified(title, message, level)`` is emitted on the GUI thread; the app shows it as a tray message.
    """

    notified = Signal(str, str, str)
    _call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)
        self._answerer: Any = None

    @property
    def answerer(self) -> Any:
        """The ask blocks' dialogs (gui.shell.ask_dialog.AskAnswerer), made on first use on the GUI thread: its
        module is not on the path to the window's first paint."""
        if self._answerer is None:
            self._in_gui(self._make_answerer)
        return self._answerer

    def _make_answerer(self) -> None:
        from gui.shell.ask_dialog import AskAnswerer

        if self._answerer is None:
            self._answerer = AskAnswerer(self)

    # -- Host protocol -------------------------------------------------------------------------
    def notify(self, title: str, message: str, level: str = "info") -> None:
        self.notified.emit(title, message, level)  # queued to GUI-thread receivers by Qt's auto connection

    def clipboard_get(self) -> str:
        return self._in_gui(lambda: QGuiApplication.clipboard().text())

    def clipboard_set(self, text: str) -> None:
        self._in_gui(lambda: QGuiApplication.clipboard().setText(text))

    def open(self, target: str) -> None:
        url = QUrl.fromUserInput(target, "", QUrl.UserInputResolutionOption.AssumeLocalFile)
        if not url.isValid():
            raise StepError(f"cannot open {target!r}: not a file, folder or URL", kind="host")
        if not system_opens_itself():  # xdg-open with the person's environment, not the bundle's (gui.shell.opener)
            open_with_opener(url)
        elif not self._in_gui(lambda: QDesktopServices.openUrl(url)):
            raise StepError(f"cannot open {target!r}: the desktop has no program for it", kind="host")

    def ask(self, question: dict[str, Any]) -> dict[str, Any]:
        """An ask block's question (engine.desktop.ask), answered by the person in a dialog; waits for it."""
        return self.answerer.ask(question)

    def end_questions(self) -> None:
        """The app quits: open questions end now as unanswered, and their steps say the app quit."""
        if self._answerer is not None:  # none was ever asked: nothing to end (and no dialog module to load)
            self._answerer.end_all()

    # -- marshalling ---------------------------------------------------------------------------
    def _in_gui(self, fn: Callable[[], Any]) -> Any:
        if QThread.currentThread() is self.thread():
            return fn()
        job = _Job(fn)
        self._call.emit(job)
        if not job.done.wait(_GUI_TIMEOUT):
            raise StepError(f"the Flowdeck window did not answer within {_GUI_TIMEOUT:g} s", kind="host")
        if job.error is not None:
            raise StepError(f"desktop call failed: {job.error}", kind="host")
        return job.result

    @Slot(object)
    def _run(self, job: _Job) -> None:
        try:
            job.result = job.fn()
        except Exception as exc:  # handed back to the worker thread as a StepError
            job.error = exc
        finally:
            job.done.set()
