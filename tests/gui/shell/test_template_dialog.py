"""New from Template…: the picker's list, description and read-only canvas, and a copy that is not armed before it
is saved in the editor (its schedule does not fire), then runs on its own."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from gui.shell.controller import AppController
from gui.shell.dashboard import NEXT
from tests.gui.shell.test_dashboard import _discard_on_close, controller  # noqa: F401 (fixtures)


def ticker(out: Path) -> str:
    return f"""flowdeck: 1
name: Ticker
description: Adds a line to a file every second.
triggers:
  - schedule: {{every: 1s}}
steps:
  tick:
    title: Add a line
    do: file.write
    with: {{path: "{out.as_posix()}", content: tick, append: true, newline: true}}
"""


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_the_picker_shows_each_templates_description_trigger_steps_and_canvas(
    qtbot: QtBot,
    controller: AppController,  # noqa: F811 (the fixture imported above)
) -> None:
    page = controller.dashboard
    page.new_button.click()
    dialog = page.template_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    titles = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert "Daily sales report" in titles and "Hello Flowdeck" in titles
    dialog.list.setCurrentRow(titles.index("Daily sales report"))
    about = dialog.about.text()
    assert "Appends yesterday" in about and "weekday" in about.lower() and "Fetch the report" in about
    assert "switched off" in about
    assert "fetch" in dialog.canvas.steps() and dialog.canvas.isVisible()
    dialog.list.setCurrentRow(titles.index("Hello Flowdeck"))
    assert dialog.canvas.steps() == ["greet", "remember", "uname", "report"]
    assert "only when you run it" in dialog.about.text()
    QTest.keyClick(dialog.list, Qt.Key.Key_Escape)
    assert not list(controller.settings.workspace_path.glob("hello-2.yaml"))  # cancelled: nothing copied


def test_every_shipped_template_previews_with_its_steps_drawn(qtbot: QtBot) -> None:
    from gui.shell.template_dialog import TemplateDialog

    dialog = TemplateDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    titles = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert titles == sorted(titles, key=str.casefold) and len(titles) >= 9
    for row in range(dialog.list.count()):
        dialog.list.setCurrentRow(row)
        assert "Starts:" in dialog.about.text() and dialog.canvas.steps(), titles[row]
        shown = dialog.canvas.mapToScene(dialog.canvas.viewport().rect()).boundingRect()
        assert shown.contains(dialog.canvas.scene().itemsBoundingRect()), f"{titles[row]}: fitted in the view"


def test_a_copy_is_not_armed_until_saved_in_the_editor_then_it_runs(
    qtbot: QtBot,
    controller: AppController,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    out = tmp_path / "ticks.txt"
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "ticker.yaml").write_text(ticker(out))
    page = controller.dashboard
    page.templates_folder = folder
    page.new_button.click()
    dialog = page.template_dialog
    qtbot.waitExposed(dialog)
    assert dialog.list.currentItem().text() == "Ticker"
    QTest.keyClick(dialog.list, Qt.Key.Key_Return)  # Create
    added = controller.settings.workspace_path / "ticker.yaml"
    qtbot.waitUntil(lambda: page.row_of(str(added)) >= 0, timeout=20000)
    assert not page.switch_at(page.row_of(str(added))).isChecked()
    assert page.table.item(page.row_of(str(added)), NEXT).text() == "—"
    end = time.monotonic() + 3
    while time.monotonic() < end:  # three seconds of a one-second schedule: not one fire
        qtbot.wait(200)
    assert _lines(out) == 0
    editor = controller.window.editor
    assert editor.document.path == added.resolve() and editor.save()
    qtbot.waitUntil(lambda: _lines(out) >= 1, timeout=10000)  # saved: switched on, the schedule fires
    assert page.switch_at(page.row_of(str(added))).isChecked()
