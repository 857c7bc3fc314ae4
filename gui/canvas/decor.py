"""Sticky notes (Markdown, rendered) and groups (named, coloured frames around steps) on the canvas.

Both are views of ``workflow.notes`` / ``workflow.groups``: a drag or an edit goes to the document as one command,
and the items are made again from the model when the document says they changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen, QTextDocument
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

from gui.canvas import style

if TYPE_CHECKING:
    from gui.canvas.scene import WorkflowScene

PAD = 22.0  # room around a group's steps
TITLE_H = 26.0  # a group's name band, which is where it is dragged from
GRIP = 14.0  # a note's resize corner
MIN_NOTE = QSizeF(120, 60)
SKETCH_TEXT = 5.0  # below this many screen pixels of text height, notes and groups are drawn without text


def text_is_legible(painter: QPainter, point_size: float = 9.0) -> bool:
    """Whether text drawn by ``painter`` would be at least SKETCH_TEXT screen pixels high (zoom × screen scale)."""
    return style.on_screen_scale(painter) * point_size * 1.33 >= SKETCH_TEXT


class NoteItem(QGraphicsItem):
    """A sticky note: ``name`` is its key in ``workflow.notes``."""

    def __init__(self, name: str, scene: WorkflowScene) -> None:
        super().__init__()
        self.name = name
        self._scene = scene
        self._doc = QTextDocument()
        self._resizing: QPointF | None = None
        self.size = QSizeF(220, 120)
        self.colour = "yellow"
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setZValue(-1)
        self.refresh()

    def refresh(self) -> None:
        note = self._scene.document.workflow.notes[self.name]
        self.prepareGeometryChange()
        self.size = QSizeF(float(note.size[0]), float(note.size[1]))
        self.colour = note.colour
        self.setPos(QPointF(float(note.at[0]), float(note.at[1])))
        self._doc.setDefaultFont(style.fonts()[1])
        self._doc.setMarkdown(note.text or "*Double-click to write a note*")
        self._doc.setTextWidth(self.size.width() - 16)
        self.setToolTip("Note (double-click to edit; drag the corner to resize)")
        self.update()

    @property
    def text(self) -> str:
        return self._scene.document.workflow.notes[self.name].text

    def rendered_text(self) -> str:
        """The text as shown (Markdown rendered: no ``**`` marks)."""
        return self._doc.toPlainText()

    def boundingRect(self) -> QRectF:
        return QRectF(QPointF(-2, -2), self.size + QSizeF(4, 4))

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        rect = QRectF(QPointF(0, 0), self.size)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        edge = style.decor_colour(self.colour)
        painter.setPen(QPen(style.colours().selection, 2.5) if self.isSelected() else QPen(edge, 1.2))
        painter.setBrush(style.note_fill(self.colour))
        painter.drawRoundedRect(rect, 4, 4)
        if not text_is_legible(painter):
            return
        painter.save()
        painter.translate(8, 6)
        painter.setClipRect(QRectF(0, 0, self.size.width() - 16, self.size.height() - 10))
        self._paint_text(painter)
        painter.restore()
        grip = QColor(edge)
        grip.setAlpha(160)
        painter.setPen(QPen(grip, 1.2))
        r, b = rect.right() - 3, rect.bottom() - 3
        for d in (4.0, 8.0, 12.0):
            painter.drawLine(QPointF(r - d, b), QPointF(r, b - d))

    def _paint_text(self, painter: QPainter) -> None:
        from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette

        context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.Text, style.colours().text)
        context.palette = palette
        self._doc.documentLayout().draw(painter, context)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and self._scene.snapping and self._dragging():
            return QPointF(style.snap(value.x()), style.snap(value.y()))
        return super().itemChange(change, value)

    def _dragging(self) -> bool:
        return self._scene.mouseGrabberItem() is self

    def model_at(self) -> list[float]:
        return list(self._scene.document.workflow.notes[self.name].at)

    def _in_grip(self, pos: QPointF) -> bool:
        return pos.x() >= self.size.width() - GRIP and pos.y() >= self.size.height() - GRIP

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._in_grip(event.pos()):
            self._resizing = event.pos()
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._resizing is not None:
            self.prepareGeometryChange()
            self.size = QSizeF(max(MIN_NOTE.width(), event.pos().x()), max(MIN_NOTE.height(), event.pos().y()))
            self._doc.setTextWidth(self.size.width() - 16)
            self.update()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._resizing is not None:
            self._resizing = None
            size = (style.snap(self.size.width()), style.snap(self.size.height()))
            self._scene.document.set_note(self.name, size=size)
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        _after_click(lambda scene, name: scene.edit_note(name), self._scene, self.name)
        event.accept()


class GroupItem(QGraphicsItem):
    """A group's frame: drawn around its steps; dragging its name band moves them all."""

    def __init__(self, name: str, scene: WorkflowScene) -> None:
        super().__init__()
        self.name = name
        self._scene = scene
        self._rect = QRectF()
        self._drag_from: QPointF | None = None
        self._starts: dict[str, QPointF] = {}
        self.colour = "blue"
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-2)
        self.refresh()

    @property
    def steps(self) -> list[str]:
        group = self._scene.document.workflow.groups.get(self.name)
        return list(group.steps) if group is not None else []

    def refresh(self) -> None:
        group = self._scene.document.workflow.groups[self.name]
        self.colour = group.colour
        self.setToolTip(f"Group '{self.name}': drag its name to move its steps; right-click to rename or ungroup")
        self.update_frame()

    def update_frame(self) -> None:
        """Fit the frame around the group's steps (after one of them moved)."""
        rect = QRectF()
        for sid in self.steps:
            node = self._scene.nodes.get(sid)
            if node is not None:
                rect = rect.united(node.body_rect().translated(node.pos()))
        if rect.isNull():
            rect = QRectF(0, 0, 0, 0)
        rect = rect.adjusted(-PAD, -PAD - TITLE_H, PAD, PAD)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
            self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    def title_rect(self) -> QRectF:
        return QRectF(self._rect.left(), self._rect.top(), self._rect.width(), TITLE_H)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        base = style.decor_colour(self.colour)
        fill = QColor(base)
        fill.setAlpha(40 if style.colours().dark else 28)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(style.colours().selection if self.isSelected() else base, 2 if self.isSelected() else 1.5))
        painter.setBrush(fill)
        painter.drawRoundedRect(self._rect, 10, 10)
        band = QColor(base)
        band.setAlpha(70)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(band)
        painter.drawRoundedRect(self.title_rect(), 10, 10)
        if not text_is_legible(painter):
            return
        font = style.fonts()[0]
        painter.setFont(font)
        painter.setPen(style.colours().text)
        text = QFontMetricsF(font).elidedText(self.name, Qt.TextElideMode.ElideRight, self._rect.width() - 24)
        painter.drawText(self.title_rect().adjusted(12, 0, -12, 0), Qt.AlignmentFlag.AlignVCenter, text)

    def shape(self) -> Any:
        """Only the name band is the group's to click (and to catch in a selection box): inside the frame, a press
        starts a selection box as anywhere on the canvas."""
        from PySide6.QtGui import QPainterPath

        path = QPainterPath()
        path.addRect(self.title_rect())
        return path

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.title_rect().contains(event.pos()):
            self._drag_from = event.scenePos()
            self._starts = {sid: self._scene.nodes[sid].pos() for sid in self.steps if sid in self._scene.nodes}
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_from is None:
            return
        delta = event.scenePos() - self._drag_from
        if self._scene.snapping:
            delta = QPointF(style.snap(delta.x()), style.snap(delta.y()))
        snapping, self._scene.snapping = self._scene.snapping, False
        for sid, start in self._starts.items():
            self._scene.nodes[sid].setPos(start + delta)
        self._scene.snapping = snapping

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_from is not None:
            self._drag_from = None
            moved = {sid: (self._scene.nodes[sid].pos().x(), self._scene.nodes[sid].pos().y()) for sid in self._starts}
            self._starts = {}
            self._scene.document.move_steps(moved)
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.title_rect().contains(event.pos()):
            _after_click(lambda scene, name: scene.rename_group(name), self._scene, self.name)
        event.accept()


def _after_click(fn: Any, scene: WorkflowScene, name: str) -> None:
    """Open a dialog once the click is over: a modal dialog opened inside the double-click would take the button's
    release, and the item would stay grabbed (following the pointer) after it closed."""
    from PySide6.QtCore import QTimer

    grabber = scene.mouseGrabberItem()
    if grabber is not None:
        grabber.ungrabMouse()
    QTimer.singleShot(0, lambda: fn(scene, name))


class DecorScene:
    """The scene's part for notes and groups (a mixin of WorkflowScene)."""

    def sync_decor(self: WorkflowScene) -> None:
        """Make the note and group items match the model (they are few: each is refreshed)."""
        wf = self.document.workflow
        for _kind, items, model, make in (
            ("note", self.notes, wf.notes, NoteItem),
            ("group", self.groups, wf.groups, GroupItem),
        ):
            for name in [n for n in items if n not in model]:
                self.removeItem(items.pop(name))
            for name in model:
                if name in items:
                    items[name].refresh()
                else:
                    items[name] = make(name, self)
                    self.addItem(items[name])
        self._group_of = {sid: name for name, g in wf.groups.items() for sid in g.steps}

    def edit_note(self: WorkflowScene, name: str) -> None:
        """Ask for a note's new Markdown text (tests replace ``ask_note_text``)."""
        note = self.document.workflow.notes.get(name)
        if note is None:
            return
        text = self.ask_note_text(note.text)
        if text is not None:
            self.document.set_note(name, text=text)

    def ask_note_text(self: WorkflowScene, text: str) -> str | None:
        from gui.canvas.dialogs import note_text

        return note_text(text)

    def rename_group(self: WorkflowScene, name: str) -> None:
        from PySide6.QtWidgets import QInputDialog

        new, ok = QInputDialog.getText(None, "Rename group", "Name of the group:", text=name)
        if not ok or new == name:
            return
        problem = self.document.group_name_problem(new, ignore=name)
        if problem:
            self.hint.emit(f"Not renamed: {problem}")
            return
        self.document.set_group(name, new_name=new)

    def selected_notes(self: WorkflowScene) -> list[str]:
        return [item.name for item in self.selectedItems() if isinstance(item, NoteItem)]

    def selected_groups(self: WorkflowScene) -> list[str]:
        return [item.name for item in self.selectedItems() if isinstance(item, GroupItem)]
