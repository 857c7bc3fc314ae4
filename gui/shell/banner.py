"""The banner over the workflows page when another process runs the workspace (one scheduler per workspace).

It says who runs it, in the engine's own words, and offers "Take over when it stops": the app then looks at the
workspace's lock every TAKEOVER_POLL seconds and arms the workspace itself once the other process has gone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

TAKEOVER_POLL = 1.0  # seconds between two looks at whether the process that runs the workspace has gone
TAKE_OVER = "Take over when it stops"
WAITING = "Waiting for it to stop…"


class WorkspaceBanner(QFrame):
    """``show_busy(message)`` shows it with the button; ``take_over_requested`` when the button is pressed."""

    take_over_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspaceBanner")
        self.setStyleSheet(
            "#workspaceBanner { background: #fff4e5; border: 1px solid #f0c36d; border-radius: 4px; }"
            "#workspaceBanner QLabel { color: #5c3b00; }"
        )
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
