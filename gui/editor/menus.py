"""Right-click menus of the canvas, built in one place: on empty canvas, on steps, on wires, notes and groups.

Each menu reuses the editor's actions where one exists (same text, same shortcut as the menu bar). Later features
add their entries with ``extend(kind, fn)``: ``fn(page, key, at, menu)`` is called after the built-in entries
(e.g. the debug loop's "Run this step" for kind "step").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QMenu

from engine.model.workflow import COLOURS
from gui.canvas import style

if TYPE_CHECKING:
    from gui.editor.page import EditorPage

Extension = Callable[["EditorPage", Any, QPointF, QMenu], None]
_EXTENSIONS: dict[str, list[Extension]] = {"canvas": [], "step": [], "wire": [], "note": [], "group": []}
ZOOMS = (0.5, 0.75, 1.0, 1.5, 2.0)


def extend(kind: str, fn: Extension) -> None:
    """Add entries to the menus of ``kind`` (canvas, step, wire, note, group)."""
    _EXTENSIONS[kind].append(fn)


def build(page: EditorPage, kind: str, key: Any, at: QPointF) -> QMenu:
    """The menu for a right-click on ``kind`` (``key`` names it) at scene point ``at``."""
    menu = QMenu(page.view)
    menu.setObjectName(f"{kind}Menu")
    {"canvas": _canvas, "step": _step, "wire": _wire, "note": _note, "group": _group}[kind](page, key, at, menu)
    for fn in _EXTENSIONS[kind]:
        fn(page, key, at, menu)
    return menu


def _canvas(page: EditorPage, _key: Any, at: QPointF, menu: QMenu) -> None:
    a = page.actions_
    menu.addAction("Add &Block Here…", lambda: page.pick_block_at(at)).setObjectName("menu_add_block")
    menu.addAction("Add &Note Here", lambda: page.add_note(at)).setObjectName("menu_add_note")
    paste = menu.addAction(a["paste"].text(), lambda: page.paste(at))
    paste.setShortcut(a["paste"].shortcut())
    paste.setObjectName("menu_paste")
    menu.addSeparator()
    menu.addAction(a["select_all"])
    menu.addAction(a["tidy"])
    menu.addSeparator()
    zoom = menu.addMenu("&Zoom")
    for name in ("zoom_in", "zoom_out", "zoom_fit", "zoom_100"):
        zoom.addAction(a[name])
    zoom.addSeparator()
    for z in ZOOMS:
        zoom.addAction(f"{z:.0%}", lambda z=z: page.view.set_zoom(z))
    menu.addAction(a["minimap"])


def _step(page: EditorPage, key: Any, _at: QPointF, menu: QMenu) -> None:
    a = page.actions_
    ids = page.scene.selected_steps() or [key]
    disabled = all(page.document.workflow.steps[sid].disabled for sid in ids if sid in page.document.workflow.steps)
    a["disable"].setText("&Enable" if disabled else "&Disable")  # after a toggle, the selection did not change
    if len(ids) == 1:
        menu.addAction(a["rename"])
    menu.addAction(a["duplicate"])
    menu.addAction(a["copy"])
    menu.addAction(a["disable"])
    menu.addSeparator()
    group = page.document.group_of(key)
    menu.addAction(a["group"])
    if group is not None:
        menu.addAction(f"Remove from Group '{group}'", lambda: page.ungroup_steps(ids)).setObjectName("menu_leave")
    menu.addSeparator()
    menu.addAction(a["delete"])


def _wire(page: EditorPage, key: Any, at: QPointF, menu: QMenu) -> None:
    source, port, target = key
    menu.addAction(f"&Insert a Block Here… ({source} → {target})", lambda: page.pick_block_at(at, wire=key))
    menu.actions()[-1].setObjectName("menu_insert")
    delete = menu.addAction("&Delete Wire", lambda: page.document.remove_wire(source, port, target))
    delete.setObjectName("menu_delete_wire")


def _colours(menu: QMenu, current: str, choose: Callable[[str], None]) -> None:
    sub = menu.addMenu("&Colour")
    for name in COLOURS:
        action = sub.addAction(_swatch(name), name.capitalize(), lambda n=name: choose(n))
        action.setCheckable(True)
        action.setChecked(name == current)


def _swatch(name: str) -> Any:
    from PySide6.QtGui import QIcon, QPixmap

    pix = QPixmap(14, 14)
    pix.fill(style.decor_colour(name))
    return QIcon(pix)


def _note(page: EditorPage, key: Any, _at: QPointF, menu: QMenu) -> None:
    doc = page.document
    menu.addAction("&Edit Text…", lambda: page.scene.edit_note(key)).setObjectName("menu_edit_note")
    _colours(menu, doc.workflow.notes[key].colour, lambda c: doc.set_note(key, colour=c))
    menu.addSeparator()
    menu.addAction("&Delete Note", lambda: doc.remove_notes([key])).setObjectName("menu_delete_note")


def _group(page: EditorPage, key: Any, _at: QPointF, menu: QMenu) -> None:
    doc = page.document
    menu.addAction("&Rename Group…", lambda: page.scene.rename_group(key)).setObjectName("menu_rename_group")
    _colours(menu, doc.workflow.groups[key].colour, lambda c: doc.set_group(key, colour=c))
    menu.addAction("Select Its &Steps", lambda: page.scene.select_steps(doc.workflow.groups[key].steps))
    menu.addSeparator()
    menu.addAction("&Ungroup (keep the steps)", lambda: doc.remove_groups([key])).setObjectName("menu_ungroup")
