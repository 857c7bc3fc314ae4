"""A one-line label that fits its width: the text is cut with "…" and the whole of it is in the tooltip.

For lines that must stay one line whatever they hold (an error, a preview), so a long value never widens a window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(1)
        self.full = ""

    def set_full_text(self, text: str, tip: str | None = None) -> None:
        """Show ``text`` (whitespace folded) cut to the width; ``tip`` (default: ``text``) on hover."""
        self.full = " ".join(text.split())
        self.setToolTip(text if tip is None else tip)
        self._elide()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width(), 40)
        self.setText(self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight, width))
