"""The banner over the window's pages that lists every desktop trigger the app could not arm (a hotkey another
program holds, no window manager...), one line each in the engine's words, the file's name a link that opens it.

It is dismissible, comes back when another trigger cannot be armed, and goes by itself when none is left (the file
was edited, removed or switched off, or Try again armed them). What is true now comes from the service
(``Service.not_armed()``).
"""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QToolButton, QVBoxLayout, QWidget

from engine.scheduling.describe import describe_trigger
from gui.shell.banner import WarningFrame
from gui.shell.dashboard import DashboardRow

HINT = "Each is tried again when its file changes, or when you press Try again."


class NotArmedBanner(WarningFrame):
    """``set_not_armed(found)`` with the service's NotArmed entries; ``open_requested(path)`` from a file's link,
    ``retry_requested`` from Try again."""

    open_requested = Signal(str)
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("notArmedBanner", parent)
        self.lines: list[tuple[str, str]] = []  # (workflow path, the engine's line)
        self._dismissed: set[str] = set()
        self.icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        self.text = QLabel()
        self.text.setObjectName("notArmedLines")
        self.text.setWordWrap(True)
        self.text.linkActivated.connect(lambda url: self.open_requested.emit(QUrl(url).toLocalFile()))
        self.hint = _small(QLabel(HINT))
        self.retry = QPushButton("Try again")
        self.retry.setObjectName("armAgain")
        self.retry.setToolTip("Try to arm these triggers once more")
        self.retry.clicked.connect(self.retry_requested.emit)
        self.dismiss = QToolButton()
        self.dismiss.setObjectName("dismissNotArmed")
        self.dismiss.setText("✕")
        self.dismiss.setAutoRaise(True)
        self.dismiss.setToolTip("Dismiss (the banner comes back if another trigger cannot be armed)")
        self.dismiss.clicked.connect(self._dismiss)
        self._lay_out()
        self.hide()

    def _lay_out(self) -> None:
        """The sign, the lines over the hint, then Try again and ✕, all at the top."""
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.text)
        words.addWidget(self.hint)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(words, 1)
        row.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)

    def set_not_armed(self, found: list[Any]) -> None:
        """Show these (shown unless all were dismissed); an empty list hides the banner."""
        self.lines = [(str(n.path), n.message) for n in found]
        messages = {m for _p, m in self.lines}
        self._dismissed &= messages  # one gone and back later is shown again
        self.text.setText("<br>".join(_line(path, message) for path, message in self.lines))
        self.setVisible(bool(messages - self._dismissed))

    def _dismiss(self) -> None:
        self._dismissed = {m for _p, m in self.lines}
        self.hide()


def _small(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    return label


def _line(path: str, message: str) -> str:
    """The engine's line, its leading file name a link to the file (opened in the editor)."""
    name = Path(path).name
    rest = message[len(name) :] if message.startswith(name) else f": {message}"
    link = f"<a href='{html.escape(Path(path).as_uri())}'>{html.escape(name)}</a>"
    return link + html.escape(rest)


def show_not_armed(service: Any, banner: NotArmedBanner | None) -> list[Any]:
    """Ask the service which triggers are not armed now (none without one) and show it in the banner and the
    editor's trigger cards; the answer, for the dashboard's rows."""
    from gui.inspector.not_armed import NOTES

    found = service.not_armed() if service is not None else []
    if banner is not None:
        banner.set_not_armed(found)
    NOTES.set(found)
    return found


def with_not_armed(row: DashboardRow, found: list[Any]) -> DashboardRow:
    """The dashboard row, with its triggers that are not armed (their words → why)."""
    mine = {describe_trigger(n.trigger): n.reason for n in found if str(n.path) == row.path}
    return dataclasses.replace(row, not_armed=mine) if mine else row
