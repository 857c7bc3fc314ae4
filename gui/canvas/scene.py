"""The canvas scene: one node per step and one wire per connection, kept in step with the document's signals.

The scene never changes the model itself: moves, wires and deletions go to the document as commands, and
the items follow when the document says what changed.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent

from gui.canvas import layout, style
from gui.canvas.debugmarks import DebugMarks
from gui.canvas.decor import DecorScene, GroupItem, NoteItem
from gui.canvas.node import NEW_CASE, NodeItem
from gui.canvas.wire import DragWire, WireItem
from gui.document import WorkflowDocument
from gui.signals import disconnect

_SIGNALS = ("stepAdded", "stepRemoved", "stepChanged", "stepRenamed", "stepMoved", "wiresChanged", "problemsChanged")
WIRE_DROP_MIN = 30.0  # a wire dropped this far from its port on empty canvas asks which block comes next


class WorkflowScene(DecorScene, QGraphicsScene):
    hint = Signal(str)  # why a wire was refused, and similar short messages for the status bar
    wireDroppedOnEmpty = Signal(str, str, QPointF)  # source step, port, where: the view offers a block picker
    stepsMoved = Signal(list)  # the steps one command moved (tidy up, undo of a move): the view keeps them in sight

    def __init__(self, document: WorkflowDocument | None = None, parent: object = None) -> None:
        super().__init__(parent)
        self.document: WorkflowDocument = document if document is not None else WorkflowDocument(parent=self)
        self.nodes: dict[str, NodeItem] = {}
        self.wires: dict[tuple[str, str, str], WireItem] = {}
        self._touching: dict[str, set[tuple[str, str, str]]] = {}  # step id -> wires from or to it
        self.snapping = True
        self.debug_marks = DebugMarks()  # breakpoints, pins, the paused step (gui/editor/debugging.py sets them)
        self.notes: dict[str, NoteItem] = {}
        self.groups: dict[str, GroupItem] = {}
        self._group_of: dict[str, str] = {}  # step id -> the group it is in
        self._moved: list[str] = []
        self._moved_timer = QTimer(self, singleShot=True, interval=0)
        self._moved_timer.timeout.connect(self._emit_moved)
        self._drag: DragWire | None = None
        self._order: list[str] = []  # selected steps in the order they were selected (connect with Ctrl+L)
        self.connect_from: str | None = None  # a step waiting for Ctrl+L on the step that comes after it
        self.selectionChanged.connect(self._track_order)
        self._rect_set = False
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self._connect(self.document)
        self.rebuild()

    # -- document ----------------------------------------------------------------------------------
    def set_document(self, document: WorkflowDocument) -> None:
        self._disconnect(self.document)
        self.document = document
        self._connect(document)
        self.rebuild()

    def _handlers(self) -> dict[str, object]:
        return {
            "stepAdded": self._step_added,
            "stepRemoved": self._step_removed,
            "stepChanged": self._step_changed,
            "stepRenamed": self._step_renamed,
            "stepMoved": self._step_moved,
            "wiresChanged": self._rewire,
            "problemsChanged": self.mark_problems,
            "decorChanged": self.sync_decor,
        }

    def _connect(self, doc: WorkflowDocument) -> None:
        for name, slot in self._handlers().items():
            getattr(doc, name).connect(slot)

    def _disconnect(self, doc: WorkflowDocument) -> None:
        for name, slot in self._handlers().items():
            disconnect(getattr(doc, name), slot)

    def rebuild(self) -> None:
        """Throw every item away and draw the document afresh (opening a file)."""
        self._drag = None
        self.clear()
        self.nodes.clear()
        self.wires.clear()
        self.notes.clear()
        self.groups.clear()
        self._group_of.clear()
        self._touching.clear()
        wf = self.document.workflow
        missing = [sid for sid in wf.steps if sid not in wf.layout]
        auto = self._auto_positions(missing) if missing else {}
        for sid in wf.steps:
            self._add_node(sid, auto.get(sid))
        for sid in wf.steps:
            self._rewire(sid)
        self.sync_decor()
        self.mark_problems()
        self._fit_rect()

    def _auto_positions(self, missing: list[str]) -> dict[str, tuple[float, float]]:
        """Places for steps the file gives no position: a tidy layout, below whatever has a place."""
        wf = self.document.workflow
        placed = [xy for sid, xy in wf.layout.items() if sid in wf.steps]
        top = max((xy[1] for xy in placed), default=-layout.ROW) + layout.ROW + 40 if placed else 0.0
        tidy = layout.tidy(wf)
        return {sid: (tidy[sid][0], tidy[sid][1] + top) for sid in missing}

    def _add_node(self, sid: str, fallback: tuple[float, float] | None = None) -> NodeItem:
        node = NodeItem(sid, self)
        xy = self.document.workflow.layout.get(sid) or fallback or self._free_spot()
        node.model_pos = QPointF(float(xy[0]), float(xy[1]))
        snapping, self.snapping = self.snapping, False  # a file's own positions are kept exactly
        node.setPos(node.model_pos)
        self.snapping = snapping
        self.addItem(node)
        self.nodes[sid] = node
        return node

    def _free_spot(self) -> tuple[float, float]:
        rect = self.itemsBoundingRect()
        return (rect.left(), rect.bottom() + 40) if self.nodes else (0.0, 0.0)

    def _fit_rect(self) -> None:
        """A roomy, stable scene rect: it only grows, so the view does not jump while the person edits."""
        rect = self.itemsBoundingRect().adjusted(-5000, -5000, 5000, 5000)
        current = self.sceneRect() if self._rect_set else QRectF(-20000, -20000, 40000, 40000)
        if not self._rect_set or not current.contains(rect):
            self.setSceneRect(current.united(rect) if self.nodes else current)
            self._rect_set = True

    # -- following the document --------------------------------------------------------------------
    def _step_added(self, sid: str) -> None:
        if sid in self.nodes:
            return
        self._add_node(sid)
        for other, step in self.document.workflow.steps.items():  # wires that were waiting for this step
            if other != sid and other in self.nodes and any(t == sid for _, t in step.targets()):
                self._rewire(other)
        self.mark_problems()
        self._fit_rect()

    def _step_removed(self, sid: str) -> None:
        node = self.nodes.pop(sid, None)
        for key in list(self._touching.get(sid, ())):
            self._remove_wire(key)
        if node is not None:
            self.removeItem(node)

    def _step_changed(self, sid: str) -> None:
        node = self.nodes.get(sid)
        if node is None:
            return
        node.refresh()
        self._rewire(sid)
        self.node_moved(node)

    def _step_renamed(self, old: str, new: str) -> None:
        node = self.nodes.pop(old, None)
        for key in list(self._touching.get(old, ())):
            self._remove_wire(key)
        if node is None:
            return
        node.step_id = new
        self.nodes[new] = node
        node.refresh()
        self._rewire(new)
        for other, step in self.document.workflow.steps.items():
            if any(t == new for _, t in step.targets()):
                self._rewire(other)

    def _step_moved(self, sid: str) -> None:
        node = self.nodes.get(sid)
        xy = self.document.workflow.layout.get(sid)
        if node is None or xy is None:
            return
        node.model_pos = QPointF(float(xy[0]), float(xy[1]))
        if node.pos() != node.model_pos:
            snapping, self.snapping = self.snapping, False
            node.setPos(node.model_pos)
            self.snapping = snapping
        self._moved.append(sid)
        self._moved_timer.start()

    def _emit_moved(self) -> None:
        moved, self._moved = list(dict.fromkeys(self._moved)), []
        self.stepsMoved.emit([sid for sid in moved if sid in self.nodes])

    def _rewire(self, sid: str) -> None:
        """Redraw the wires leaving ``sid`` from the model."""
        for key in [k for k in self._touching.get(sid, ()) if k[0] == sid]:
            self._remove_wire(key)
        source = self.nodes.get(sid)
        step = self.document.workflow.steps.get(sid)
        if source is None or step is None:
            return
        if not set(step.next) <= set(source.ports):  # a new switch case (or a port a file names) appeared
            source.refresh()
        elif self.document.accepts_any_port(sid) and source.ports[:-2] != list(self.document.output_ports(sid))[:-1]:
            source.refresh()  # a switch case went away
        for port, target in step.targets():
            if target in self.nodes and (sid, port, target) not in self.wires:
                self._add_wire(WireItem(source, port, self.nodes[target]))

    def _add_wire(self, wire: WireItem) -> None:
        key = wire.key
        self.addItem(wire)
        self.wires[key] = wire
        self._touching.setdefault(key[0], set()).add(key)
        self._touching.setdefault(key[2], set()).add(key)

    def _remove_wire(self, key: tuple[str, str, str]) -> None:
        wire = self.wires.pop(key, None)
        for sid in (key[0], key[2]):
            self._touching.get(sid, set()).discard(key)
        if wire is not None:
            self.removeItem(wire)

    def mark_problems(self) -> None:
        found = self.document.step_problems()
        for sid, node in self.nodes.items():
            node.set_problems([p.message for p in found.get(sid, [])])

    def node_moved(self, node: NodeItem) -> None:
        for key in self._touching.get(node.step_id, ()):
            self.wires[key].update_path()
        group = self._group_of.get(node.step_id)
        if group is not None and group in self.groups:
            self.groups[group].update_frame()

    # -- selection and editing ---------------------------------------------------------------------
    def selected_steps(self) -> list[str]:
        return [item.step_id for item in self.selectedItems() if isinstance(item, NodeItem)]

    def _track_order(self) -> None:
        try:
            now = self.selected_steps()
        except RuntimeError:  # the scene is going away
            return
        self._order = [sid for sid in self._order if sid in now] + [sid for sid in now if sid not in self._order]

    def selection_order(self) -> list[str]:
        """The selected steps, in the order they were selected."""
        now = set(self.selected_steps())
        return [sid for sid in self._order if sid in now]

    def selected_wires(self) -> list[tuple[str, str, str]]:
        return [key for key, wire in self.wires.items() if wire.selected]

    def select_wire(self, key: tuple[str, str, str] | None) -> None:
        for k, wire in self.wires.items():
            wire.set_selected(k == key)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """A click on a wire (and not on a step) selects that wire; any other click leaves wires unselected."""
        wire = self._wire_at(event.scenePos()) if event.button() == Qt.MouseButton.LeftButton else None
        if wire is not None:
            self.clearSelection()
            self.select_wire(wire.key)
            event.accept()
            return
        self.select_wire(None)
        super().mousePressEvent(event)

    def _wire_at(self, pos: QPointF) -> WireItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return None
            if isinstance(item, WireItem):
                return item
        return None

    def select_steps(self, ids: list[str]) -> None:
        self.clearSelection()
        for sid in ids:
            if sid in self.nodes:
                self.nodes[sid].setSelected(True)

    def delete_selection(self) -> None:
        """Delete the selected steps and wires: one undo step."""
        steps, wires = self.selected_steps(), self.selected_wires()
        notes, groups = self.selected_notes(), self.selected_groups()
        count = len(steps) + len(wires) + len(notes) + len(groups)
        if not count:
            return
        stack = self.document.undo_stack
        stack.beginMacro(f"Delete {count} item{'s' if count > 1 else ''}")
        self.document.remove_wires(w for w in wires if w[0] not in steps and w[2] not in steps)
        self.document.remove_steps(steps)
        self.document.remove_notes(notes)
        self.document.remove_groups(groups)
        stack.endMacro()

    def tidy_up(self) -> None:
        """Lay every step out in columns (one undo step)."""
        heights = {sid: node.height for sid, node in self.nodes.items()}
        self.document.move_steps(layout.tidy(self.document.workflow, heights))

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        self.commit_moves()

    def commit_moves(self) -> None:
        """Nodes the person dragged: their new places go to the document as one command."""
        moved = {
            node.step_id: (node.pos().x(), node.pos().y())
            for node in self.nodes.values()
            if node.isSelected() and node.pos() != node.model_pos
        }
        notes = {
            name: [note.pos().x(), note.pos().y()]
            for name, note in self.notes.items()
            if note.isSelected() and [note.pos().x(), note.pos().y()] != note.model_at()
        }
        if not moved and not notes:
            return
        stack = self.document.undo_stack
        stack.beginMacro(f"Move {len(moved) + len(notes)} items")  # a macro of one command undoes as that one
        if moved:
            self.document.move_steps(moved)
        for name, at in notes.items():
            self.document.set_note(name, at=at)
        stack.endMacro()

    # -- drawing a wire ----------------------------------------------------------------------------
    def ask_port_name(self, source: str) -> str:
        """The name of a new switch case (tests replace this)."""
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(None, "New case", f"Value of '{source}' that leads to the step you chose:")
        return name if ok else ""

    def dragging_wire(self) -> bool:
        return self._drag is not None

    def start_wire(self, node: NodeItem, port: str, pos: QPointF) -> None:
        self._drag = DragWire(node, port)
        self._drag.follow(pos)
        self.addItem(self._drag)
        self.hint.emit(f"Drop on the step that should come after '{node.step_id}' ({port})")

    def drag_wire(self, pos: QPointF) -> None:
        if self._drag is not None:
            self._drag.follow(pos)

    def node_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def finish_wire(self, pos: QPointF) -> str | None:
        """Connect the dragged wire to the step under ``pos``; returns why not, if it was refused."""
        drag, self._drag = self._drag, None
        if drag is None:
            return None
        self.removeItem(drag)
        target = self.node_at(pos)
        if target is None:
            self.hint.emit("")
            start = drag.source.mapToScene(drag.source.output_pos(drag.port))
            far = (pos - start).manhattanLength() >= WIRE_DROP_MIN
            if far and drag.port != NEW_CASE and self.document.workflow.steps.get(drag.source.step_id) is not None:
                self.wireDroppedOnEmpty.emit(drag.source.step_id, drag.port, pos)
            return None
        source, port = drag.source.step_id, drag.port
        if port == NEW_CASE:
            port = self.ask_port_name(source).strip()
            if not port:
                self.hint.emit("")
                return None
        problem = self.document.wire_problem(source, port, target.step_id)
        if problem:
            self.hint.emit(f"Not connected: {problem}")
            return problem
        self.document.add_wire(source, port, target.step_id)
        self.hint.emit(f"Connected {source} · {port} → {target.step_id}")
        return None

    # -- runs ----------------------------------------------------------------------------------------
    def set_status(self, sid: str, status: str, text: str = "") -> None:
        node = self.nodes.get(sid)
        if node is not None:
            node.set_status(status, text)

    def set_debug_marks(self, **changes: object) -> None:
        """Change ``breakpoints``, ``pins`` or ``paused`` and repaint the nodes."""
        for name, value in changes.items():
            setattr(self.debug_marks, name, value)
        for node in self.nodes.values():
            node.update()

    def clear_status(self) -> None:
        for node in self.nodes.values():
            if node.status:
                node.set_status("")

    # -- background ----------------------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        c = style.colours()
        painter.fillRect(rect, c.background)
        step = style.GRID * 2
        scale = painter.transform().m11()
        if scale * step < 8:  # too dense to help when zoomed far out
            return
        left = int(rect.left()) - int(rect.left()) % step
        top = int(rect.top()) - int(rect.top()) % step
        painter.setPen(c.grid)
        points = [
            QPointF(x, y)
            for x in range(left, int(rect.right()) + step, step)
            for y in range(top, int(rect.bottom()) + step, step)
        ]
        painter.drawPoints(points)
