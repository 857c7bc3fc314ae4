"""File ▸ Version History…: saves keep versions; the dialog lists them, diffs two side by side, and Restore is one
undoable edit of the open document."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from engine.io import read_file
from engine.versions import VersionStore
from gui.editor.versions import VersionsDialog
from gui.mainwindow import MainWindow

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"


def test_saves_keep_versions_and_restore_is_one_undoable_edit(window: MainWindow, tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "sales.yaml"
    shutil.copy(EXAMPLES / "daily-sales-report.yaml", path)
    page = window.editor
    assert page.open_file(path)
    doc = page.document
    first = next(iter(doc.workflow.steps))
    original = read_file(path)[0]
    doc.add_step("log", (600, 300), step_id="extra")
    assert page.save()  # v1: the file as found on disk; v2: the save
    doc.remove_steps([first])
    assert page.save()  # v3
    kept = VersionStore().versions(path)
    assert [(v.number, v.source) for v in kept] == [(3, "app"), (2, "app"), (1, "disk")]
    assert kept[0].summary.startswith(f"removed {first}")

    action = window.findChild(type(page.actions_["versions"]), "action_versions")
    assert action in window.menu("File").actions()  # File ▸ Version History…
    action.trigger()
    dialog = window.findChild(VersionsDialog)
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible())
    assert dialog.list.topLevelItemCount() == 3
    assert dialog.list.topLevelItem(0).text(3).startswith(f"removed {first}")
    dialog.select(1, 3)  # two versions: the older against the newer, side by side
    assert f"Removed: {first}" in dialog.heading.text() and "Added: extra (log)" in dialog.heading.text()
    kinds = {dialog.diff.item(r, 1).background().color().name() for r in range(dialog.diff.rowCount())}
    assert len(kinds) > 1  # some lines are marked as changed
    assert dialog.diff.horizontalHeaderItem(1).text().startswith("v1")

    dialog.select(1)
    assert dialog.restore_button.isEnabled() and dialog.restore_button.text() == "&Restore v1"
    assert dialog.restore_selected()
    assert list(doc.workflow.steps) == list(original.steps)
    assert "extra" not in page.scene.nodes and first in page.scene.nodes  # the canvas follows
    assert doc.undo_stack.undoText() == "Restore v1" and doc.is_modified()
    doc.undo_stack.undo()  # one step back: the document as it was before Restore
    assert first not in doc.workflow.steps and "extra" in doc.workflow.steps and "extra" in page.scene.nodes
    assert not doc.is_modified()
    QApplication.processEvents()
