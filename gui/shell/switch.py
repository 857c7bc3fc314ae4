"""A small on/off switch: a checkable button painted as a sliding toggle."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractButton, QWidget


class Switch(QAbstractButton):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.paused = False  # Pause all: the switch keeps its place but is drawn held (grey, with a pause mark)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(38, 22)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = 18.0
        track = QRectF(2, (self.height() - h) / 2, 34, h)
        on = self.isChecked()
        color = QColor("#2e9d55") if on and not self.paused else self.palette().mid().color()
        if not self.isEnabled() or self.paused:
            color.setAlpha(90)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawRoundedRect(track, h / 2, h / 2)
        knob = h - 4
        x = track.right() - knob - 2 if on else track.left() + 2
        p.setBrush(QColor("white"))
        p.drawEllipse(QRectF(x, track.top() + 2, knob, knob))
        if self.paused:  # two bars on the knob: held by Pause all, whatever its own setting
            p.setBrush(QColor("#6b7078"))
            for dx in (4.0, 8.0):
                p.drawRect(QRectF(x + dx - 0.5, track.top() + 6, 2, knob - 8))
        if self.hasFocus():
            p.setPen(self.palette().highlight().color())
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(track.adjusted(-1, -1, 1, 1), h / 2 + 1, h / 2 + 1)
        p.end()
