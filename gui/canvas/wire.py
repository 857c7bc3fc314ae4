"""Wires: a bezier from an output port to the input of the next step; selectable, deleted with Delete."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from engine.model.workflow import ERROR_PORT
from gui.canvas import style
from gui.canvas.node import NodeItem


def bezier(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth S from ``start`` (leaving rightwards) to ``end`` (arriving from the left)."""
    dx = max(50.0, abs(end.x() - start.x()) * 0.5)
    if end.x() < start.x():  # a wire going back loops around
        dx = max(dx, 80.0 + abs(end.y() - start.y()) * 0.25)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class WireItem(QGraphicsPathItem):
    """One wire; ``key`` is (source step, port, target step)."""

    def __init__(self, source: NodeItem, port: str, target: NodeItem) -> None:
        super().__init__()
        self.source, self.port, self.target = source, port, target
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.setAcceptHoverEvents(True)
        self._hover = False
        self.update_path()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source.step_id, self.port, self.target.step_id)

    def update_path(self) -> None:
        start = self.source.mapToScene(self.source.output_pos(self.port))
        end = self.target.mapToScene(self.target.input_pos())
        self.setPath(bezier(start, end))
        self.setToolTip(f"{self.source.step_id} · {self.port} → {self.target.step_id}  (click, then Delete to remove)")

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def boundingRect(self) -> QRectF:
        return super().boundingRect().adjusted(-6, -6, 6, 6)

    def hoverEnterEvent(self, event: object) -> None:
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event: object) -> None:
        self._hover = False
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        c = style.colours()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(c.failed if self.port == ERROR_PORT else c.wire)
        width = 2.0
        if self.isSelected():
            colour, width = QColor(c.selection), 3.5
        elif self._hover:
            width = 3.0
        pen = QPen(colour, width, Qt.PenStyle.SolidLine, style.PEN_CAP)
        if self.port == ERROR_PORT:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        end = self.path().pointAtPercent(1.0)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        arrow = QPainterPath(end)
        arrow.lineTo(end + QPointF(-9, -5))
        arrow.lineTo(end + QPointF(-9, 5))
        arrow.closeSubpath()
        painter.drawPath(arrow)


class DragWire(QGraphicsPathItem):
    """The wire that follows the pointer while the person drags from a port."""

    def __init__(self, source: NodeItem, port: str) -> None:
        super().__init__()
        self.source, self.port = source, port
        self.setZValue(3)
        c = style.colours()
        self.setPen(QPen(c.selection, 2, Qt.PenStyle.DashLine, style.PEN_CAP))

    def follow(self, pos: QPointF) -> None:
        self.setPath(bezier(self.source.mapToScene(self.source.output_pos(self.port)), pos))
