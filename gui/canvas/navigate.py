"""Keyboard-only editing on the canvas: move the selection between steps, nudge, walk with Tab, connect.

``KeyboardEditing`` is a mixin of WorkflowView; the editor's actions (arrows, Tab, Ctrl+L) call its methods.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF

from engine.model.workflow import DEFAULT_PORT, ERROR_PORT
from gui.canvas import layout, style

if TYPE_CHECKING:
    from gui.canvas.scene import WorkflowScene
    from gui.canvas.view import WorkflowView

DIRECTIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


def _centre(scene: WorkflowScene, sid: str) -> QPointF:
    node = scene.nodes[sid]
    return node.pos() + QPointF(style.NODE_W / 2, node.height / 2)


def nearest(scene: WorkflowScene, sid: str, direction: str) -> str | None:
    """The step nearest to ``sid`` in ``direction``: ahead of it, off the line counting double."""
    dx, dy = DIRECTIONS[direction]
    here = _centre(scene, sid)
    best: tuple[float, str] | None = None
    for other in scene.nodes:
        if other == sid:
            continue
        d = _centre(scene, other) - here
        ahead = d.x() * dx + d.y() * dy
        aside = abs(d.x() * dy) + abs(d.y() * dx)
        if ahead <= 1 or aside > ahead * 3:
            continue
        score = ahead + 2 * aside
        if best is None or score < best[0]:
            best = (score, other)
    return best[1] if best else None


def walk(scene: WorkflowScene, backwards: bool = False) -> str | None:
    """The step after (before) the selected one in the file's order, wrapping round."""
    ids = list(scene.document.workflow.steps)
    if not ids:
        return None
    selected = scene.selected_steps()
    if not selected:
        return ids[-1] if backwards else ids[0]
    i = ids.index(selected[-1] if not backwards else selected[0])
    return ids[(i + (-1 if backwards else 1)) % len(ids)]


def free_port(scene: WorkflowScene, sid: str) -> str:
    """The port a new wire from ``sid`` leaves from: ``next`` if it has one, else its first port with no wire."""
    doc = scene.document
    ports = [p for p in doc.output_ports(sid) if p != ERROR_PORT]
    if DEFAULT_PORT in ports or not ports:
        return DEFAULT_PORT
    step = doc.workflow.steps[sid]
    return next((p for p in ports if not step.next.get(p)), ports[0])


def spot_after(scene: WorkflowScene, sid: str) -> tuple[float, float]:
    """A free place one column to the right of ``sid`` (lower down when that is taken)."""
    node = scene.nodes[sid]
    x, y = node.pos().x() + layout.COLUMN, node.pos().y()
    taken = [n.sceneBoundingRect() for n in scene.nodes.values()]
    while any(r.contains(QPointF(x + style.NODE_W / 2, y + style.HEADER_H / 2)) for r in taken):
        y += layout.ROW
    return x, y


class KeyboardEditing:
    """What the keyboard does on the canvas (a mixin of WorkflowView)."""

    def select_towards(self: WorkflowView, direction: str) -> None:
        """Select the nearest step in ``direction`` (left, right, up, down) from the selected one."""
        selected = self._scene.selected_steps()
        target = walk(self._scene) if not selected else nearest(self._scene, selected[-1], direction)
        self._go_to(target)

    def walk_steps(self: WorkflowView, backwards: bool = False) -> None:
        self._go_to(walk(self._scene, backwards))

    def _go_to(self: WorkflowView, sid: str | None) -> None:
        if sid is None:
            return
        self._scene.select_steps([sid])
        self.ensureVisible(self._scene.nodes[sid], 40, 40)

    def nudge(self: WorkflowView, direction: str, distance: float) -> None:
        """Move the selected steps (and notes) by ``distance`` in ``direction``: one undo step per press."""
        dx, dy = DIRECTIONS[direction]
        doc = self._scene.document
        moves = {}
        for sid in self._scene.selected_steps():
            node = self._scene.nodes[sid]
            moves[sid] = (node.x() + dx * distance, node.y() + dy * distance)
        if moves:
            doc.move_steps(moves)
        for name in self._scene.selected_notes():
            at = doc.workflow.notes[name].at
            doc.set_note(name, at=[at[0] + dx * distance, at[1] + dy * distance])

    def connect_selected(self: WorkflowView) -> None:
        """Wire the selected steps in the order they were selected; with one selected, remember it and wire it to
        the step selected next when this is pressed again."""
        scene = self._scene
        order = scene.selection_order()
        if len(order) == 1 and scene.connect_from and scene.connect_from != order[0]:
            order = [scene.connect_from, order[0]]
        elif len(order) == 1:
            scene.connect_from = order[0]
            self.show_hint(f"Now select the step that comes after '{order[0]}' and press Ctrl+L again")
            return
        scene.connect_from = None
        doc = scene.document
        made = []
        doc.undo_stack.beginMacro(f"Connect {len(order)} steps")
        for source, target in itertools.pairwise(order):
            port = free_port(scene, source)
            problem = doc.wire_problem(source, port, target)
            if problem is None:
                doc.add_wire(source, port, target)
                made.append(f"{source} → {target}")
            else:
                self.show_hint(f"Not connected: {problem}")
        doc.undo_stack.endMacro()
        if made:
            self.show_hint("Connected " + ", ".join(made))
