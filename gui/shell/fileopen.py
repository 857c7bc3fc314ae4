"""Files the system hands to the running app: macOS Finder sends a QFileOpenEvent instead of a command line.

A double-clicked workflow (or one dropped on the Dock icon) starts Flowdeck.app with no arguments and then posts a
``QEvent.FileOpen`` to the application; once it runs, every further open arrives the same way. Events that come
before the controller is ready are kept and handed over when it connects.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QFileOpenEvent


class FileOpenRelay(QObject):
    """An event filter on the QApplication that turns each local-file QFileOpenEvent into ``file_opened(path)``."""

    file_opened = Signal(str)

    def __init__(self, app: QObject) -> None:
        super().__init__(app)
        self._early: list[str] = []
        self._receiver = None
        app.installEventFilter(self)

    def deliver_to(self, receiver) -> None:
        """Call ``receiver(path)`` for every file opened from now on, and for those that came before."""
        self._receiver = receiver
        self.file_opened.connect(receiver)
        early, self._early = self._early, []
        for path in early:
            receiver(path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.FileOpen or not isinstance(event, QFileOpenEvent):
            return False
        path = event.file()  # empty for a URL that is not a local file: nothing Flowdeck can open
        if not path:
            return False
        if self._receiver is None:
            self._early.append(path)
        else:
            self.file_opened.emit(path)
        return True
