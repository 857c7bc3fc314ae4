"""Wires: a bezier from an output port to the input of the next step; selectable, deleted with Delete."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsPathItem

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
    """One wire; ``key`` is (source step, port, target step).

    Painted by Qt itself from its pen (no Python paint call per wire, so a thousand wires repaint fast);
    selection is the scene's (``selected``), shown as a wider pen in the selection colour.
    """

    def __init__(self, source: NodeItem, port: str, target: NodeItem) -> None:
        super().__init__()
        self.source, self.port, self.target = source, port, target
        self.selected = False
        self.trail = ""  # after a run: "taken" (the run went along it), "idle" (it did not), "" (no run shown)
        self._hover = False
        self.setZValue(0)
        self.setAcceptHoverEvents(True)
        self.restyle()
        self.update_path()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source.step_id, self.port, self.target.step_id)

    def update_path(self) -> None:
        start = self.source.mapToScene(self.source.output_pos(self.port))
        end = self.target.mapToScene(self.target.input_pos())
        self.setPath(bezier(start, end))
        self.setToolTip(f"{self.source.step_id} · {self.port} → {self.target.step_id}  (click, then Delete to remove)")

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.setZValue(0.5 if on else 0)
            self.restyle()

    def set_trail(self, trail: str) -> None:
        if trail != self.trail:
            self.trail = trail
            self.restyle()

    def restyle(self) -> None:
        c = style.colours()
        colour = QColor(c.failed if self.port == ERROR_PORT else c.wire)
        width = 3.0 if self._hover else 2.0
        if self.trail == "taken":
            colour, width = QColor(c.failed if self.port == ERROR_PORT else c.ok), width + 1.0
        elif self.trail == "idle":
            colour.setAlpha(70)
        if self.selected:
            colour, width = QColor(c.selection), 3.5
        pen = QPen(colour, width, Qt.PenStyle.SolidLine, style.PEN_CAP)
        if self.port == ERROR_PORT:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def hoverEnterEvent(self, event: object) -> None:
        self._hover = True
        self.restyle()

    def hoverLeaveEvent(self, event: object) -> None:
        self._hover = False
        self.restyle()


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
