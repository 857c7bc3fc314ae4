"""The banner over the workflows page when another process runs the workspace (one scheduler per workspace), and
the amber banner style the app's banners share (WarningFrame, gui/shell/notarmed.py).

It says who runs it, in the engine's own words, and offers "Take over when it stops": the app then looks at the
workspace's lock every TAKEOVER_POLL seconds and arms the workspace itself once the other process has gone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

TAKEOVER_POLL = 1.0  # seconds between two looks at whether the process that runs the workspace has gone
TAKE_OVER = "Take over when it stops"
WAITING = "Waiting for it to stop…"


_LIGHT = ("#fff4e5", "#f0c36d", "#5c3b00")  # background, border, text
_DARK = ("#3b3120", "#8a6d2b", "#f3d9a4")


def _dark() -> bool:
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def warning_colours() -> tuple[str, str, str]:
    """A warning banner's amber on the app's theme: (background, border, text)."""
    return _DARK if _dark() else _LIGHT


def warning_text() -> str:
    """Amber for a warning's words on the window or a list (a dashboard row, a trigger card), on the app's theme."""
    return "#f0b454" if _dark() else "#a35f00"


class WarningFrame(QFrame):
    """A rounded amber frame whose labels are amber text; its colours follow the theme when it changes."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._restyle()

    def _restyle(self) -> None:
        background, border, text = warning_colours()  # the app's palette: this frame's own is its style sheet's
        name = self.objectName()
        style = (
            f"#{name} {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
            f"#{name} QLabel {{ color: {text}; }}"
        )
        if style != self.styleSheet():  # a style sheet set can change the palette: set it once per theme
            self.setStyleSheet(style)

    def event(self, event: QEvent) -> bool:
        # the app's new palette comes as ApplicationPaletteChange alone (this frame's palette is its style sheet's)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()
        return super().event(event)


class WorkspaceBanner(WarningFrame):
    """``show_busy(message)`` shows it with the button; ``take_over_requested`` when the button is pressed."""

    take_over_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("workspaceBanner", parent)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(TAKE_OVER)
        self.button.setObjectName("takeOver")
        self.button.clicked.connect(self._pressed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_busy(self, message: str, *, waiting: bool = False) -> None:
        """Say who runs the workspace (first letter up: it starts the banner); ``waiting``: take-over is on."""
        self.text.setText(message[:1].upper() + message[1:])
        self.button.setText(WAITING if waiting else TAKE_OVER)
        self.button.setEnabled(not waiting)
        self.show()

    def clear(self) -> None:
        self.hide()
        self.button.setText(TAKE_OVER)
        self.button.setEnabled(True)

    def _pressed(self) -> None:
        self.button.setText(WAITING)
        self.button.setEnabled(False)
        self.take_over_requested.emit()
