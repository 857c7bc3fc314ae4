"""A step on the canvas: icon, title, a one-line summary of its key parameter, an input port and named outputs.

Painted by hand (no child items) so a canvas of a thousand steps builds and repaints quickly.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

from engine.model.workflow import ERROR_PORT, Step
from engine.registry import BlockType
from gui.canvas import style
from gui.canvas.debugmarks import paused_colour

if TYPE_CHECKING:
    from gui.canvas.scene import WorkflowScene

PORT_HIT = 10.0
NEW_CASE = "+ case"
TINY = 0.2
# Below this many screen pixels per scene unit (zoom × screen scale) a node is drawn as coloured boxes only: its
# text would be under ≈ 5 screen pixels high (and a thousand steps stay fast).
LOW_DETAIL = 0.45
TITLE_W = style.NODE_W - 38


@lru_cache(maxsize=1)
def _header_path() -> QPainterPath:
    """The header band: rounded at the top, square where it meets the body."""
    header = QPainterPath()
    header.addRoundedRect(QRectF(0, 0, style.NODE_W, style.HEADER_H), 8, 8)
    square = QPainterPath()
    square.addRect(QRectF(0, style.HEADER_H / 2, style.NODE_W, style.HEADER_H / 2))
    return header.united(square)


def summary_text(step: Step, block: BlockType | None) -> str:
    """The key parameter's value in one line, e.g. ``https://example.com/api``."""
    if block is None:
        return f"unknown block '{step.do}'"
    key = block.summary
    value: Any = step.params.get(key, "") if key else ""
    if isinstance(value, list | dict):
        value = (
            ", ".join(map(str, value)) if isinstance(value, list) else ", ".join(f"{k}: {v}" for k, v in value.items())
        )
    text = " ".join(str(value).split())
    return text or (f"{key}: —" if key else block.title)


class NodeItem(QGraphicsItem):
    """One step. ``scene`` is a WorkflowScene, which knows the document."""

    def __init__(self, step_id: str, scene: WorkflowScene) -> None:
        super().__init__()
        self.step_id = step_id
        self.model_pos = QPointF()
        self.problems: list[str] = []
        self.status: str = ""  # running, succeeded, failed, skipped
        self.status_text = ""
        self.ports: list[str] = []
        self.title = ""
        self.summary = ""
        self.icon = "block"
        self.category = ""
        self.disabled = False
        self._height = 0.0
        self._scene = scene
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.refresh()

    # -- content ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the step from the document (after it changed or was renamed)."""
        doc = self._scene.document
        step = doc.workflow.steps[self.step_id]
        block = doc.registry.get(step.do)
        self.prepareGeometryChange()
        self.ports = doc.output_ports(self.step_id)
        if doc.accepts_any_port(self.step_id):  # a switch: one more port to drag a new case from
            self.ports.insert(len(self.ports) - 1, NEW_CASE)
        self.title = step.title or (block.title if block else step.do)
        self.summary = summary_text(step, block)
        self.icon = block.icon if block else "block"
        self.category = block.category if block else ""
        self.disabled = step.disabled
        self._height = style.HEADER_H + style.SUMMARY_H + style.PORT_H * len(self.ports) + 6
        self._bounds = QRectF(-style.PORT_R - 4, -14, style.NODE_W + 2 * style.PORT_R + 8, self._height + 20)
        self._sketch = (
            self.body_rect(),
            QRectF(0, 0, style.NODE_W, style.HEADER_H),
            style.colours().node,
            self.accent(),
        )
        font, small = style.fonts()
        self._elided = (
            QFontMetricsF(font).elidedText(self.title, Qt.TextElideMode.ElideRight, TITLE_W),
            QFontMetricsF(small).elidedText(self.summary, Qt.TextElideMode.ElideMiddle, style.NODE_W - 20),
        )
        self._tooltip(step, block)
        self.update()

    def accent(self) -> QColor:
        """The header's colour: the category's, grey when the step is disabled."""
        return style.colours().muted if self.disabled else style.category_colour(self.category)

    def _tooltip(self, step: Step, block: BlockType | None) -> None:
        lines = [f"<b>{self.title}</b> <span style='color:gray'>({self.step_id} · {step.do})</span>"]
        if self.disabled:
            lines.append("<i>Disabled: a run passes over it and goes on along next</i>")
        if block is not None and block.help:
            lines.append(block.help)
        lines += [f"<span style='color:#d93025'>⚠ {p}</span>" for p in self.problems]
        self.setToolTip("<br>".join(lines))

    def set_problems(self, problems: list[str]) -> None:
        if problems != self.problems:
            self.problems = problems
            doc = self._scene.document
            step = doc.workflow.steps[self.step_id]
            self._tooltip(step, doc.registry.get(step.do))
            self.update()

    def set_status(self, status: str, text: str = "") -> None:
        self.status, self.status_text = status, text
        self.update()

    # -- geometry --------------------------------------------------------------------------------
    @property
    def height(self) -> float:
        return self._height

    def body_rect(self) -> QRectF:
        return QRectF(0, 0, style.NODE_W, self._height)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.body_rect().adjusted(-style.PORT_R, 0, style.PORT_R, 0), 8, 8)
        return path

    def input_pos(self) -> QPointF:
        return QPointF(0, style.HEADER_H / 2)

    def output_pos(self, port: str) -> QPointF:
        index = self.ports.index(port) if port in self.ports else len(self.ports) - 1
        return QPointF(style.NODE_W, style.HEADER_H + style.SUMMARY_H + style.PORT_H * index + style.PORT_H / 2)

    def port_at(self, pos: QPointF) -> str | None:
        """The output port whose dot or label is at ``pos`` (item coordinates)."""
        for port in self.ports:
            p = self.output_pos(port)
            if abs(pos.y() - p.y()) <= style.PORT_H / 2 and p.x() - 60 <= pos.x() <= p.x() + PORT_HIT:
                return port
        return None

    # -- painting --------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        detail = style.on_screen_scale(painter)
        if detail < LOW_DETAIL:
            self._paint_sketch(painter, detail)  # zoomed far out: coloured boxes only, as few calls as possible
            return
        c = style.colours()
        rect = self.body_rect()
        accent = self.accent()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        faded = self.disabled or self.status == "skipped"  # passed over, or not reached by the run shown
        if faded:
            painter.setOpacity(0.45)
        self._paint_body(painter, rect, c, accent)
        self._paint_text(painter, c)
        self._paint_ports(painter, c, accent)
        if faded:
            painter.setOpacity(1.0)
        self._paint_tags(painter, c)
        if self._paused():
            self._paint_badge(painter, c, "paused", paused_colour(c.dark))
        elif self.status_text or self.status in ("succeeded", "failed"):
            self._paint_badge(painter, c)
        if self.step_id in self._scene.debug_marks.breakpoints:
            self._paint_breakpoint(painter, c)

    def _paused(self) -> bool:
        return self._scene.debug_marks.paused == self.step_id

    def _outline(self, c: style.Colours) -> QPen:
        if self._paused():
            return QPen(paused_colour(c.dark), 3, Qt.PenStyle.DashLine)
        if self.status == "running":
            return QPen(c.running, 3)
        if self.isSelected():
            return QPen(c.selection, 2.5)
        if self.problems:
            return QPen(c.problem, 2)
        return QPen(c.node_border, 1)

    def _paint_sketch(self, painter: QPainter, detail: float) -> None:
        body, header, fill, accent = self._sketch
        if detail < TINY:  # a few pixels wide: one box in the category's colour
            painter.fillRect(body, accent)
        else:
            painter.fillRect(body, fill)
            painter.fillRect(header, accent)
        if self.isSelected() or self.problems or self.status or self._paused():
            painter.setPen(self._outline(style.colours()))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(body)

    def _paint_body(self, painter: QPainter, rect: QRectF, c: style.Colours, accent: QColor) -> None:
        painter.setBrush(c.node)
        painter.setPen(self._outline(c))
        painter.drawRoundedRect(rect, 8, 8)
        painter.fillPath(_header_path(), accent if not self.problems else accent.darker(115))
        if self.status == "skipped":
            painter.fillRect(rect, QColor(128, 128, 128, 90))

    def _paint_text(self, painter: QPainter, c: style.Colours) -> None:
        pixmap = style.icon_pixmap(self.icon, style.ICON * 2, "#ffffff")
        # the whole pixmap: its pixels are device pixels, twice as many at 200 % (a fixed source rect cut it)
        painter.drawPixmap(QRectF(8, 6, style.ICON, style.ICON), pixmap, QRectF(pixmap.rect()))
        font, small = style.fonts()
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(QRectF(32, 0, TITLE_W, style.HEADER_H), Qt.AlignmentFlag.AlignVCenter, self._elided[0])
        font = small
        painter.setFont(font)
        painter.setPen(c.muted)
        box = QRectF(10, style.HEADER_H + 2, style.NODE_W - 20, style.SUMMARY_H)
        painter.drawText(box, Qt.AlignmentFlag.AlignVCenter, self._elided[1])

    def _paint_ports(self, painter: QPainter, c: style.Colours, accent: QColor) -> None:
        painter.setPen(QPen(c.node, 1.5))
        painter.setBrush(c.wire)
        painter.drawEllipse(self.input_pos(), style.PORT_R, style.PORT_R)
        for port in self.ports:
            p = self.output_pos(port)
            colour = c.failed if port == ERROR_PORT else accent
            painter.setPen(colour if port != ERROR_PORT else c.failed)
            painter.drawText(
                QRectF(10, p.y() - style.PORT_H / 2, style.NODE_W - 22, style.PORT_H),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                port,
            )
            painter.setPen(QPen(c.node, 1.5))
            painter.setBrush(colour)
            painter.drawEllipse(p, style.PORT_R, style.PORT_R)

    def _paint_tags(self, painter: QPainter, c: style.Colours) -> None:
        """Small labels on the top edge, left to right: ``disabled``, ``pinned`` (its output stands in for it)."""
        x = 18.0 if self.step_id in self._scene.debug_marks.breakpoints else 10.0  # clear of the breakpoint dot
        if self.disabled:
            x = self._paint_tag(painter, c, "disabled", x, c.muted)
        if self.step_id in self._scene.debug_marks.pins:
            self._paint_tag(painter, c, "pinned", x, c.selection)

    def _paint_tag(self, painter: QPainter, c: style.Colours, text: str, x: float, colour: QColor) -> float:
        """A small label at ``x`` on the top edge; returns where the next one may start."""
        font = style.fonts()[1]
        painter.setFont(font)
        w = QFontMetricsF(font).horizontalAdvance(text) + 14
        box = QRectF(x, -11, w, 20)
        painter.setPen(QPen(colour if colour != c.muted else c.node_border, 1))
        painter.setBrush(c.node)
        painter.drawRoundedRect(box, 10, 10)
        painter.setPen(colour)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        return x + w + 4

    def _paint_breakpoint(self, painter: QPainter, c: style.Colours) -> None:
        """A red dot on the top left corner, as in code editors; hollow in the middle when it has a condition."""
        painter.setPen(QPen(c.node, 2))
        painter.setBrush(c.failed)
        painter.drawEllipse(QPointF(4, 0), 7, 7)
        if self._scene.debug_marks.breakpoints[self.step_id]:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c.node)
            painter.drawEllipse(QPointF(4, 0), 2.5, 2.5)

    def _paint_badge(self, painter: QPainter, c: style.Colours, text: str = "", fill: QColor | None = None) -> None:
        ok = self.status != "failed"
        if not text:
            done = self.status in ("succeeded", "failed")
            text = ("✓ " if ok else "✗ ") + self.status_text if done else self.status_text
        font = style.fonts()[1]
        painter.setFont(font)
        w = QFontMetricsF(font).horizontalAdvance(text) + 14
        box = QRectF(style.NODE_W - w - 6, -11, w, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(c.ok if ok else c.failed)
        if self.status == "skipped":
            painter.setBrush(c.muted)
        if self.status == "running":
            painter.setBrush(c.running)
        if fill is not None:
            painter.setBrush(fill)
        painter.drawRoundedRect(box, 10, 10)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    # -- interaction -----------------------------------------------------------------------------
    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and self._scene.snapping:
            return QPointF(style.snap(value.x()), style.snap(value.y()))
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self._scene.node_moved(self)
        elif change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.setZValue(2 if value else 1)
        return super().itemChange(change, value)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        port = self.port_at(event.pos()) if event.button() == Qt.MouseButton.LeftButton else None
        if port is not None:
            self._scene.start_wire(self, port, event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._scene.dragging_wire():
            self._scene.drag_wire(event.scenePos())
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._scene.dragging_wire():
            self._scene.finish_wire(event.scenePos())
            return
        super().mouseReleaseEvent(event)
