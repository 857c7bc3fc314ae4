"""The canvas comforts, driven through the real widgets: right-click menus, a wire dropped on empty canvas, notes,
groups, disabled steps, the minimap and zoom control, Tidy Up keeping the steps in sight, keyboard-only editing
and the shortcuts list."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from engine.io import dumps, read_text
from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.mainwindow import MainWindow

FLOW = """flowdeck: 1
name: Comforts
steps:
  fetch:
    do: log
    with: {message: one}
    next: save
  save:
    do: log
    with: {message: two}
  side:
    do: log
    with: {message: three}
layout:
  fetch: [0, 0]
  save: [260, 0]
  side: [0, 200]
  note why: {at: [0, -160], size: [240, 100], text: "Runs **every** morning"}
  group Work: {colour: green, steps: [fetch, save]}
"""


@pytest.fixture
def page(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EditorPage:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    qtbot.waitExposed(win)
    path = tmp_path / "comforts.yaml"
    path.write_text(FLOW)
    assert win.editor.open_file(path)
    page = win.editor
    page.view.resetTransform()
    page.view.centerOn(200, 50)
    page.view.setFocus()
    return page


def _at(page: EditorPage, x: float, y: float) -> QPoint:
    return page.view.mapFromScene(QPointF(x, y))


def _right_click(page: EditorPage, qtbot: QtBot, x: float, y: float) -> QMenu:
    point = _at(page, x, y)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, page.view.viewport().mapToGlobal(point))
    QApplication.sendEvent(page.view.viewport(), event)
    menu = page.view.menu
    assert menu is not None
    qtbot.waitUntil(menu.isVisible)
    return menu


def _entries(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def _choose(menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text().replace("&", "").startswith(text))
    menu.close()
    action.trigger()


def test_right_click_menus_on_a_step_a_wire_and_the_canvas(page: EditorPage, qtbot: QtBot) -> None:
    menu = _right_click(page, qtbot, 90, 45)  # the middle of 'fetch'
    assert page.scene.selected_steps() == ["fetch"]
    assert _entries(menu)[:4] == ["Rename Step…", "Duplicate", "Copy", "Disable"]
    assert "Delete" in _entries(menu) and "Remove from Group 'Work'" in _entries(menu)
    _choose(menu, "Disable")
    assert page.document.workflow.steps["fetch"].disabled and page.scene.nodes["fetch"].disabled
    assert page.inspector.findChild(object, "stepDisabled").isChecked()
    assert "Enable" in _entries(_right_click(page, qtbot, 90, 45))
    page.view.menu.close()
    page.document.undo_stack.undo()
    assert not page.document.workflow.steps["fetch"].disabled

    wire = page.scene.wires[("fetch", "next", "save")]
    mid = wire.path().pointAtPercent(0.5)
    menu = _right_click(page, qtbot, mid.x(), mid.y())
    assert _entries(menu) == ["Insert a Block Here… (fetch → save)", "Delete Wire"]
    _choose(menu, "Insert a Block Here")
    picker = page.view.picker
    qtbot.waitUntil(picker.isVisible)
    QTest.keyClicks(picker.search, "notify")
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    steps = page.document.workflow.steps
    assert steps["fetch"].next == {"next": ["notify"]} and steps["notify"].next == {"next": ["save"]}
    page.document.undo_stack.undo()  # one undo step puts the wire back as it was
    assert "notify" not in steps and steps["fetch"].next == {"next": ["save"]}

    menu = _right_click(page, qtbot, 600, 300)
    assert page.scene.selected_steps() == []
    assert _entries(menu)[:3] == ["Add Block Here…", "Add Note Here", "Paste"]
    assert {"Select All", "Tidy Up", "Zoom", "Minimap"} <= set(_entries(menu))
    QGuiApplication.clipboard().setText(page.document.copy_yaml(["side"]))
    _choose(menu, "Paste")
    assert page.document.workflow.layout["side_2"] == [600, 300]


def test_a_wire_dropped_on_empty_canvas_offers_blocks_and_wires_the_one_picked(page: EditorPage, qtbot: QtBot) -> None:
    node = page.scene.nodes["save"]
    port = _at(page, *(lambda p: (p.x(), p.y()))(node.mapToScene(node.output_pos("next"))))
    empty = _at(page, 620, 40)
    viewport = page.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, port)
    QTest.mouseMove(viewport, QPoint((port.x() + empty.x()) // 2, port.y()))
    QTest.mouseMove(viewport, empty)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, empty)
    picker = page.view.picker
    assert picker is not None
    qtbot.waitUntil(picker.isVisible)
    QTest.keyClicks(picker.search, "write file")
    assert picker.blocks()[0] == "file.write"  # searchable: the name that matches comes first
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    wf = page.document.workflow
    assert wf.steps["save"].next == {"next": ["write"]}
    x, y = wf.layout["write"]
    assert abs(x - 620) <= 20 and abs(y + 15 - 40) <= 20  # where the wire was dropped
    assert page.scene.selected_steps() == ["write"]
    page.document.undo_stack.undo()
    assert "write" not in wf.steps and "next" not in wf.steps["save"].next


def test_notes_and_groups_render_move_undo_and_save(page: EditorPage, qtbot: QtBot) -> None:
    scene, doc = page.scene, page.document
    note = scene.notes["why"]
    assert note.rendered_text().strip() == "Runs every morning"  # Markdown rendered, not shown as **
    scene.ask_note_text = lambda text: "# Plan\n- first *this*"
    QTest.mouseDClick(
        page.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(page, 60, -140)
    )
    qtbot.waitUntil(lambda: doc.workflow.notes["why"].text == "# Plan\n- first *this*")
    assert "first this" in scene.notes["why"].rendered_text()
    qtbot.wait(QApplication.doubleClickInterval() + 50)  # the next press is a new click, not a third one
    group = scene.groups["Work"]
    title = group.title_rect().center()
    start, end = _at(page, title.x(), title.y()), _at(page, title.x() + 100, title.y() + 60)
    viewport = page.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, QPoint(start.x() + 50, start.y() + 30))
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert doc.workflow.layout["fetch"] == [100, 60] and doc.workflow.layout["save"] == [360, 60]
    assert doc.workflow.layout["side"] == [0, 200]  # not in the group: stays
    assert group.title_rect().center().x() == pytest.approx(title.x() + 100)
    assert doc.undo_stack.undoText() == "Move 2 steps"
    doc.undo_stack.undo()
    assert doc.workflow.layout["fetch"] == [0, 0] and group.title_rect().center() == title
    scene.select_steps(["side"])
    page.actions_["group"].trigger()
    assert doc.workflow.groups["Group 2"].steps == ["side"]
    note_name = page.add_note(QPointF(500, 300))
    text = dumps(doc.workflow)
    again, problems = read_text(text)
    assert [p for p in problems if p.path[:1] == ("layout",)] == []
    assert again.notes[note_name].at == [500, 300] and "Group 2" in again.groups
    assert "  group Work: {colour: green, steps: [fetch, save]}\n" in text
    for _ in range(4):  # the new note's text, the new note, the new group, the first note's text: one undo each
        doc.undo_stack.undo()
    assert list(doc.workflow.notes) == ["why"] and list(doc.workflow.groups) == ["Work"]
    assert doc.workflow.notes["why"].text == "Runs **every** morning" and set(scene.notes) == {"why"}


def test_minimap_and_zoom_control(page: EditorPage, qtbot: QtBot) -> None:
    view, bar = page.view, page.zoom_bar
    assert bar.percent.currentText() == "100 %"
    bar.percent.lineEdit().setText("150")
    QTest.keyClick(bar.percent.lineEdit(), Qt.Key.Key_Return)
    assert view.zoom() == pytest.approx(1.5)
    assert bar.percent.currentText() == "150 %"
    bar.findChild(object, "zoomBar_zoom_100").click()
    assert view.zoom() == pytest.approx(1.0) and bar.percent.currentText() == "100 %"
    bar.findChild(object, "zoomBar_zoom_fit").click()
    assert bar.percent.currentText() == f"{round(view.zoom() * 100)} %"
    assert not view.minimap.isVisible()
    bar.findChild(object, "zoomBar_minimap").click()
    assert view.minimap.isVisible() and page.actions_["minimap"].isChecked()
    view.resetTransform()
    view.centerOn(3000, 3000)  # far away from every step
    minimap = view.minimap
    target = QPointF(130, 50)  # 'save'
    k, off = minimap._scale(minimap.world())
    QTest.mouseClick(minimap, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, (target * k + off).toPoint())
    centre = view.mapToScene(view.viewport().rect().center())
    assert abs(centre.x() - target.x()) < 60 / k and abs(centre.y() - target.y()) < 60 / k


def test_tidy_up_and_its_undo_keep_the_steps_in_sight(page: EditorPage, qtbot: QtBot) -> None:
    view, doc = page.view, page.document
    doc.move_steps({"fetch": (4000, 4000), "save": (4300, 4000), "side": (4000, 4300)})
    view.centerOn(4200, 4100)
    page.actions_["tidy"].trigger()

    def in_sight() -> bool:
        visible = view.mapToScene(view.viewport().rect()).boundingRect()
        return all(visible.contains(page.scene.nodes[s].sceneBoundingRect()) for s in doc.workflow.steps)

    qtbot.waitUntil(in_sight)
    assert doc.workflow.layout["fetch"][0] < 1000
    doc.undo_stack.undo()
    qtbot.waitUntil(in_sight)
    assert doc.workflow.layout["fetch"] == [4000, 4000]


def test_keyboard_only_editing(page: EditorPage, qtbot: QtBot) -> None:
    view, scene, doc = page.view, page.scene, page.document
    qtbot.wait(150)  # the window's first popups come and go; then it is made active for the keys
    page.window().activateWindow()
    qtbot.waitUntil(page.window().isActiveWindow, timeout=3000)  # key shortcuts go to the active window's focus
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert scene.selected_steps() == ["fetch"]
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert scene.selected_steps() == ["save"]
    QTest.keyClick(view, Qt.Key.Key_Left)
    QTest.keyClick(view, Qt.Key.Key_Down)
    assert scene.selected_steps() == ["side"]
    QTest.keyClick(view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert scene.selected_steps() == ["save"]
    QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert doc.workflow.layout["save"] == [280, 1]
    QTest.keyClick(view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # from 'save' …
    QTest.keyClick(view, Qt.Key.Key_Down)
    assert scene.selected_steps() == ["side"]
    QTest.keyClick(view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # … to 'side'
    assert doc.workflow.steps["save"].next == {"next": ["side"]}
    QTest.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert doc.workflow.steps["side"].disabled
    search = page.palette.findChild(object, "paletteSearch") or page.palette.search
    search.setFocus()
    QTest.keyClicks(search, "notify")
    QTest.keyClick(search, Qt.Key.Key_Return)
    assert doc.workflow.steps["side"].next == {"next": ["notify"]}  # added after the selected step, wired
    assert doc.workflow.layout["notify"][0] > doc.workflow.layout["side"][0]
    assert doc.undo_stack.undoText().startswith("Add ") and "after side" in doc.undo_stack.undoText()
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # leaves the canvas
    assert not view.hasFocus()


def test_the_shortcuts_dialog_lists_every_shortcut_from_the_actions_and_searches(page: EditorPage) -> None:
    dialog = page.window().findChild(QMenu, "menuHelp")
    assert any(a is page.actions_["shortcuts"] for a in dialog.actions())
    page.actions_["shortcuts"].trigger()
    shown = page.shortcuts_dialog
    rows = shown.visible_rows()
    with_keys = [a for a in page.actions_.values() if not a.shortcut().isEmpty()]
    assert len(rows) == len(with_keys)
    assert ("Duplicate", "Ctrl+D") in rows and ("Connect Steps", "Ctrl+L") in rows
    shown.search.setText("zoom")
    assert {r[0] for r in shown.visible_rows()} == {"Zoom In", "Zoom Out", "Zoom to Fit", "Actual Size (100 %)"}
    shown.search.setText("ctrl+g")
    assert [r[0] for r in shown.visible_rows()] == ["Group Steps"]
    shown.close()


def test_zoom_to_fit_on_a_small_canvas_at_200_percent_still_draws_the_blocks_text(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 200 % screen scale the side panels leave a small canvas; fitted there, the blocks are small in scene
    units but twice as many screen pixels, so their titles are drawn (a 100 % screen at that zoom shows boxes)."""
    from PySide6.QtGui import QImage, QPainter

    from gui.canvas import WorkflowScene, WorkflowView
    from gui.canvas.node import NodeItem
    from gui.document import WorkflowDocument

    wf, _ = read_text(FLOW)
    view = WorkflowView(WorkflowScene(WorkflowDocument(wf)))
    qtbot.addWidget(view)
    view.resize(220, 260)
    view.show()
    qtbot.waitExposed(view)
    view.zoom_fit()
    texts: list[str] = []
    monkeypatch.setattr(NodeItem, "_paint_text", lambda self, painter, c: texts.append(self.step_id))

    def render(ratio: float) -> list[str]:
        texts.clear()
        size = view.viewport().size()
        image = QImage(size * ratio, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        painter = QPainter(image)
        view.render(painter, QRectF(0, 0, size.width(), size.height()), view.viewport().rect())  # as on screen
        painter.end()
        return sorted(texts)

    assert view.zoom() < 0.45  # zoomed out further than a 100 % screen shows text at
    assert render(2.0) == ["fetch", "save", "side"]
    assert render(1.0) == []


def test_later_features_add_their_entries_to_the_step_menu(
    page: EditorPage, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The menus are built in one place (gui.editor.menus) that a feature extends, e.g. a "Run this step"."""
    from gui.editor import menus

    monkeypatch.setitem(menus._EXTENSIONS, "step", [])
    ran: list[str] = []
    menus.extend("step", lambda pg, key, at, menu: menu.addAction("Run This Step", lambda: ran.append(key)))
    menu = _right_click(page, qtbot, 350, 45)  # 'save'
    assert _entries(menu)[-1] == "Run This Step"
    _choose(menu, "Run This Step")
    assert ran == ["save"]


def test_a_note_resized_by_its_corner_and_the_yaml_tab_follows(page: EditorPage, qtbot: QtBot) -> None:
    """Dragging a note's bottom-right corner resizes it (one undo step, snapped to the grid), and the YAML tab
    shows the note's new size."""
    note = page.scene.notes["why"]
    corner = note.mapToScene(QPointF(note.size.width() - 4, note.size.height() - 4))
    start, end = _at(page, corner.x(), corner.y()), _at(page, corner.x() + 80, corner.y() + 40)
    viewport = page.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, QPoint(start.x() + 40, start.y() + 20))
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    wf = page.document.workflow
    assert wf.notes["why"].size == [320, 140] and wf.notes["why"].at == [0, -160]
    page.tabs.setCurrentWidget(page.yaml_view)
    qtbot.waitUntil(lambda: "size: [320, 140]" in page.yaml_view.toPlainText())
    page.document.undo_stack.undo()
    assert wf.notes["why"].size == [240, 100] and note.size.width() == 240


def test_a_selection_box_drawn_inside_a_group_selects_its_steps_not_the_group(page: EditorPage) -> None:
    """Inside a group's frame a press starts a selection box as on empty canvas; only the name band is the
    group's (so Delete after a box does not ungroup)."""
    viewport = page.view.viewport()
    start, end = _at(page, 150, 130), _at(page, 420, 20)  # inside the frame, below and right of the steps
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert sorted(page.scene.selected_steps()) == ["fetch", "save"]
    assert page.scene.selected_groups() == []
