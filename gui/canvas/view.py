"""The canvas view: zoom around the pointer, pan with the middle button or space+drag, box-select, drop blocks."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsView, QLabel, QWidget

from gui.canvas import style
from gui.canvas.scene import WorkflowScene

BLOCK_MIME = "application/x-flowdeck-block"
MIN_ZOOM, MAX_ZOOM = 0.15, 3.0
FIT_MAX = 1.2
EMPTY_TEXT = "Drag a block from the left onto the canvas to start,\nor double-click a block to add it."


class WorkflowView(QGraphicsView):
    blockDropped = Signal(str, str)  # block type, new step id

    def __init__(self, scene: WorkflowScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._scene = scene  # the view does not own its scene: keep it alive as long as the view
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)  # the dotted grid is blitted, not redrawn
        self.setAcceptDrops(True)
        self._pan_from: QPoint | None = None
        self._space = False
        self._hint = QLabel(self)
        self._hint.setObjectName("canvasHint")
        self._hint.setStyleSheet(
            "QLabel#canvasHint{background:rgba(40,44,52,220);color:white;border-radius:6px;padding:6px 10px;}"
        )
        self._hint.hide()
        self._hint_timer = QTimer(self, singleShot=True, interval=4000)
        self._hint_timer.timeout.connect(self._hint.hide)
        scene.hint.connect(self.show_hint)

    def workflow_scene(self) -> WorkflowScene:
        return self._scene

    # -- hints ---------------------------------------------------------------------------------------
    def show_hint(self, text: str) -> None:
        if not text:
            self._hint.hide()
            return
        self._hint.setText(text)
        self._hint.adjustSize()
        self._hint.move(12, self.viewport().height() - self._hint.height() - 12)
        self._hint.show()
        self._hint.raise_()
        self._hint_timer.start()

    def hint_text(self) -> str:
        return self._hint.text() if self._hint.isVisible() else ""

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        """An empty canvas says how to start."""
        if self._scene.nodes:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(style.colours().muted)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        painter.setFont(font)
        painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
        painter.restore()

    # -- zoom ----------------------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom() * factor))
        factor = target / self.zoom()
        self.scale(factor, factor)

    def zoom_in(self) -> None:
        self._centre_zoom(1.25)

    def zoom_out(self) -> None:
        self._centre_zoom(0.8)

    def _centre_zoom(self, factor: float) -> None:
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.zoom_by(factor)
        self.setTransformationAnchor(anchor)

    def zoom_fit(self) -> None:
        scene = self.workflow_scene()
        rect = QRectF()
        for node in scene.nodes.values():
            rect = rect.united(node.sceneBoundingRect())
        if rect.isEmpty():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        self.fitInView(rect.adjusted(-60, -60, 60, 60), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > FIT_MAX:  # a small workflow is shown a little larger, not blown up
            self.resetTransform()
            self.scale(FIT_MAX, FIT_MAX)
            self.centerOn(rect.center())
        elif self.zoom() < MIN_ZOOM:
            self.zoom_by(1.0)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            super().wheelEvent(event)
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_at(event.position().toPoint(), 1.15**steps)
        event.accept()

    def zoom_at(self, pointer: QPoint, factor: float) -> None:
        """Zoom keeping the scene point under ``pointer`` (viewport coordinates) where it is."""
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        fixed = self.mapToScene(pointer)
        self.zoom_by(factor)
        shift = self.mapFromScene(fixed) - pointer
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + shift.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + shift.y())
        self.setTransformationAnchor(anchor)

    # -- panning -------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pan = event.button() == Qt.MouseButton.MiddleButton or (
            self._space and event.button() == Qt.MouseButton.LeftButton
        )
        if pan:
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position().toPoint() - self._pan_from
            self._pan_from = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            if self._space:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # -- dropping blocks from the palette ------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(BLOCK_MIME):
            super().dropEvent(event)
            return
        block = bytes(event.mimeData().data(BLOCK_MIME).data()).decode()
        self.add_block(block, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()

    def add_block(self, block: str, at: QPointF | None = None) -> str:
        """Add a step running ``block`` with its header under ``at`` (default: the middle of the view)."""
        scene = self.workflow_scene()
        if at is None:
            at = self.mapToScene(self.viewport().rect().center())
        x, y = at.x() - style.NODE_W / 2, at.y() - style.HEADER_H / 2
        if scene.snapping:
            x, y = style.snap(x), style.snap(y)
        sid = scene.document.add_step(block, (x, y))
        scene.select_steps([sid])
        self.setFocus()
        self.blockDropped.emit(block, sid)
        return sid
