"""The minimap: the whole workflow small in a corner of the canvas, with the visible part framed.

Click or drag in it to move the view there. Painted from the nodes' positions (a rectangle per step), so a
thousand-step workflow costs a thousand fillRect calls per repaint, and only while it is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from gui.canvas import style

if TYPE_CHECKING:
    from gui.canvas.view import WorkflowView

SIZE = (200, 140)
MARGIN = 12


class Minimap(QWidget):
    def __init__(self, view: WorkflowView) -> None:
        super().__init__(view)
        self.setObjectName("minimap")
        self.resize(*SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Minimap: click or drag to move the view")
        self._later = QTimer(self, singleShot=True, interval=50)  # many changes at once repaint once
        self._later.timeout.connect(self.update)
        view.workflow_scene().changed.connect(self._scene_changed)  # a bound slot: gone with the minimap

    def _scene_changed(self, _rects: object) -> None:
        if self.isVisible():
            self._later.start()

    @property
    def view(self) -> WorkflowView:
        """The view it is in (not kept as an attribute: a child holding its parent would make a cycle that the
        garbage collector may break by dropping the view's scene before the view)."""
        return self.parentWidget()  # type: ignore[return-value]

    def place(self) -> None:
        vp = self.view.viewport()
        self.move(vp.width() - self.width() - MARGIN, vp.height() - self.height() - MARGIN)

    def showEvent(self, event: object) -> None:
        self.place()
        self.raise_()

    def world(self) -> QRectF:
        """The scene area the minimap shows: every step and the visible part, with a margin."""
        scene = self.view.workflow_scene()
        rect = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        for node in scene.nodes.values():
            rect = rect.united(QRectF(node.pos(), node.body_rect().size()))
        return rect.adjusted(-80, -80, 80, 80)

    def _scale(self, world: QRectF) -> tuple[float, QPointF]:
        k = min((self.width() - 8) / max(world.width(), 1), (self.height() - 8) / max(world.height(), 1))
        offset = QPointF(
            (self.width() - world.width() * k) / 2 - world.left() * k,
            (self.height() - world.height() * k) / 2 - world.top() * k,
        )
        return k, offset

    def paintEvent(self, event: QPaintEvent) -> None:
        c = style.colours()
        painter = QPainter(self)
        back = QColor(c.node)
        back.setAlpha(235)
        painter.setPen(QPen(c.node_border, 1))
        painter.setBrush(back)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        world = self.world()
        k, off = self._scale(world)
        scene = self.view.workflow_scene()
        for group in scene.groups.values():
            colour = style.decor_colour(group.colour)
            colour.setAlpha(60)
            painter.fillRect(_mapped(group.boundingRect(), k, off), colour)
        for note in scene.notes.values():
            painter.fillRect(_mapped(QRectF(note.pos(), note.size), k, off), style.note_fill(note.colour))
        for node in scene.nodes.values():
            colour = style.category_colour(node.category) if not node.disabled else c.muted
            painter.fillRect(_mapped(QRectF(node.pos(), node.body_rect().size()), k, off), colour)
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        painter.setPen(QPen(c.selection, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(_mapped(visible, k, off))
        painter.end()

    def scene_point(self, pos: QPointF) -> QPointF:
        k, off = self._scale(self.world())
        return (pos - off) / k

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag_world = self.world()  # fixed while dragging, so the map does not slide under the pointer
        self._go(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._go(event)

    def _go(self, event: QMouseEvent) -> None:
        k, off = self._scale(getattr(self, "_drag_world", None) or self.world())
        self.view.centerOn((event.position() - off) / k)
        self.update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_world = None
        event.accept()


def _mapped(rect: QRectF, k: float, off: QPointF) -> QRectF:
    return QRectF(
        rect.left() * k + off.x(), rect.top() * k + off.y(), max(rect.width() * k, 1.5), max(rect.height() * k, 1.5)
    )
