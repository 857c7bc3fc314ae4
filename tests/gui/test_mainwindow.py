"""The main window as the shell and a person use it: pages, menus with the usual shortcuts, remembered layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QToolButton
from pytestqt.qtbot import QtBot

from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.mainwindow import MainWindow

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "daily-sales-report.yaml"


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)


def test_main_window_opens(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle().startswith("Flowdeck")
    assert window.current_page() is window.editor


def test_pages_as_the_shell_adds_them(qtbot: QtBot) -> None:
    from gui.shell import window as shell_window

    window = shell_window.make_window()
    qtbot.addWidget(window)
    dashboard, history = QLabel("dashboard"), QLabel("history")
    shell_window.add_page(window, "Workflows", dashboard, index=0)
    shell_window.show_page(window, dashboard)
    shell_window.add_page(window, "History", history)
    assert window.pages() == [dashboard, window.editor, history]
    assert window.current_page() is dashboard
    window._pages[history].click()
    assert window.current_page() is history
    assert shell_window.open_file(window, str(EXAMPLE))
    assert window.current_page() is window.editor and window.current_path == EXAMPLE.resolve()
    assert shell_window.takes_engine_later()


def test_menus_in_order_with_standard_shortcuts(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    help_menu = window.menu("Help")
    assert window.menu("Help") is help_menu
    window.menu("Tools")
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Run", "Tools", "Help"]
    a = window.editor.actions_
    assert a["save"].shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    assert a["undo"].shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert a["copy"].shortcut() == QKeySequence(QKeySequence.StandardKey.Copy)
    assert a["run"].shortcut() == QKeySequence("F5")
    assert a["save_as"].shortcut() == QKeySequence("Ctrl+Shift+S")  # the menu shows the first: not a "Save" key
    edit_texts = [x.text().replace("&", "") for x in window.menu("Edit").actions() if x.text()]
    for name in ("Undo", "Redo", "Cut", "Copy", "Paste", "Delete", "Select All"):
        assert name in edit_texts
    file_texts = [x.text().replace("&", "") for x in window.menu("File").actions() if x.text()]
    assert file_texts[:5] == ["New", "Open…", "Open Recent", "Save", "Save As…"]


def test_edit_actions_through_the_menu(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.open_file(EXAMPLE)
    page, a = window.editor, window.editor.actions_
    page.scene.select_steps(["keep", "append"])
    a["copy"].trigger()
    a["paste"].trigger()
    assert {"keep_2", "append_2"} <= set(page.document.workflow.steps)
    assert sorted(page.scene.selected_steps()) == ["append_2", "keep_2"]
    a["delete"].trigger()
    assert "keep_2" not in page.document.workflow.steps
    a["undo"].trigger()
    assert "keep_2" in page.scene.nodes
    a["redo"].trigger()
    a["select_all"].trigger()
    assert len(page.scene.selected_steps()) == 5
    a["cut"].trigger()
    assert page.document.workflow.steps == {}
    a["paste"].trigger()
    assert set(page.document.workflow.steps) == {"yesterday", "fetch", "keep", "append", "alert"}
    a["new"].trigger()
    assert page.document.workflow.steps == {} and window.current_path is None


def test_geometry_and_panels_are_remembered(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.resize(701, 503)
    window.editor.run_dock.hide()
    window.editor.inspector_dock.setFloating(False)
    assert window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert (again.width(), again.height()) == (701, 503)
    assert again.editor.run_dock.isHidden()
    again.editor.run_dock.show()
    again.close()


def test_delete_key_acts_on_the_canvas_only(qtbot: QtBot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)  # key shortcuts go to the active window's focus
    window.open_file(EXAMPLE)
    page = window.editor
    page.scene.select_steps(["alert"])
    field = page.findChild(QLineEdit)  # the palette's search box stands for any text field
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert "alert" in page.document.workflow.steps
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    assert "alert" not in page.document.workflow.steps


def test_every_shortcut_is_bound_once_and_fires(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    owners: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            owners.setdefault(seq.toString(), []).append(action.objectName() or action.text())
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}  # Qt fires nothing for an ambiguous key
    target = tmp_path / "pressed.yaml"
    monkeypatch.setattr(EditorPage, "ask_save_path", lambda self: str(target))
    page = window.editor
    page.view.add_block("log")
    window.activateWindow()
    page.view.setFocus()
    qtbot.waitUntil(page.view.hasFocus)
    qtbot.keyClick(page.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert target.exists(), "Ctrl+Shift+S saved under a new name"
    qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.document.workflow.steps == {}
    qtbot.keyClick(page.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert list(page.document.workflow.steps) == ["log"]


def test_the_app_window_makes_its_editor_after_the_first_paint(qtbot: QtBot) -> None:
    from gui.shell import window as shell_window

    window = shell_window.make_window()
    qtbot.addWidget(window)
    shell_window.menu(window, "File").addAction("Quit Flowdeck")  # the app's own item, added before the editor's
    assert not window.editor_made and window.windowTitle() == "Flowdeck"
    window.show()
    qtbot.waitUntil(lambda: window.editor_made, timeout=5000)
    file_texts = [a.text().replace("&", "") for a in window.menu("File").actions() if a.text()]
    assert file_texts == ["New", "Open…", "Open Recent", "Save", "Save As…", "Version History…", "Quit Flowdeck"]
    assert window.windowTitle().startswith("Flowdeck — ")
    # a widget put in the layout of a shown window is shown by Qt on the next turn of the event loop
    qtbot.waitUntil(lambda: window.editor.isVisibleTo(window), timeout=5000)


def test_the_app_window_paints_before_its_editor_is_made(qtbot: QtBot) -> None:
    """The editor page (most of the window's start-up time) is made after the window's first paint, not before it:
    a window made hidden and then shown waits for that paint too."""
    from PySide6.QtCore import QEvent, QObject

    from gui.shell import window as shell_window

    window = shell_window.make_window()
    qtbot.addWidget(window)
    made_at_paint: list[bool] = []

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not made_at_paint:
                made_at_paint.append(window.editor_made)
            return False

    spy = FirstPaint(window)
    window.installEventFilter(spy)
    qtbot.wait(50)  # a turn of the event loop before the window is shown (the app shows it right away)
    window.show()
    qtbot.waitUntil(lambda: bool(made_at_paint), timeout=5000)
    assert made_at_paint == [False], "the editor was made before the window's first paint"
    qtbot.waitUntil(lambda: window.editor_made, timeout=5000)  # and right after it


def test_choosing_the_editor_page_before_it_is_made_makes_it(qtbot: QtBot) -> None:
    window = MainWindow(editor_later=True)
    qtbot.addWidget(window)
    assert not window.editor_made
    window.findChild(QToolButton, "page_Editor").click()
    assert window.editor_made and window.current_page() is window.editor
