"""File handling through the GUI: open, edit, save (through engine.io), dirty marker, asking, recovery."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from engine.io import dumps, read_file
from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.editor.recovery import Recovery
from gui.mainwindow import MainWindow

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"


@pytest.fixture
def sales(tmp_path: Path) -> Path:
    target = tmp_path / "sales.yaml"
    shutil.copy(EXAMPLES / "daily-sales-report.yaml", target)
    return target


def test_open_edit_save_round_trip(window: MainWindow, sales: Path, qtbot: QtBot) -> None:
    original = dumps(read_file(sales)[0])
    assert window.open_file(sales)
    page = window.editor
    assert set(page.scene.nodes) == {"yesterday", "fetch", "keep", "append", "alert"}
    assert window.windowTitle() == "Flowdeck — sales.yaml[*]" and not window.isWindowModified()
    page.save()
    assert sales.read_text() == original  # what engine.io writes, comments at the top included
    page.view.add_block("log")
    page.document.add_wire("append", "next", "log")
    page.document.set_param("log", "message", "Row added")
    assert window.isWindowModified()
    assert page.save()
    assert not window.isWindowModified()
    wf, problems = read_file(sales)
    assert wf is not None and not [p for p in problems if p.is_error]
    assert wf.steps["append"].next == {"next": ["log"]}
    assert wf.steps["log"].do == "log" and "log" in wf.layout
    assert sales.read_text().startswith("# Every weekday at 8:00")
    assert str(sales.resolve()) == page.recent_files()[0]


def test_yaml_tab_shows_exactly_what_save_writes(window: MainWindow, sales: Path, qtbot: QtBot) -> None:
    window.open_file(sales)
    page = window.editor
    page.tabs.setCurrentWidget(page.yaml_view)
    assert page.yaml_view.toPlainText() == dumps(page.document.workflow)
    assert not page.yaml_view.isReadOnly()  # a second way to edit (tests/gui/editor/test_yaml_editor.py)
    page.document.rename_step("keep", "pick")
    qtbot.waitUntil(lambda: "pick:" in page.yaml_view.toPlainText(), timeout=3000)
    assert page.yaml_view.toPlainText() == dumps(page.document.workflow)


def test_save_as_new_workflow(window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = window.editor
    page.view.add_block("notify")
    target = tmp_path / "new-one.yaml"
    monkeypatch.setattr(EditorPage, "ask_save_path", lambda self: str(target))
    assert page.save()
    assert window.current_path == target.resolve()
    wf, _ = read_file(target)
    assert wf is not None and list(wf.steps) == ["notify"]
    assert window.windowTitle() == "Flowdeck — new-one.yaml[*]"


@pytest.mark.parametrize(
    ("answer", "closes", "saved"), [("cancel", False, False), ("discard", True, False), ("save", True, True)]
)
def test_closing_asks_about_unsaved_work(
    window: MainWindow, sales: Path, monkeypatch: pytest.MonkeyPatch, answer: str, closes: bool, saved: bool
) -> None:
    window.open_file(sales)
    window.editor.document.set_workflow_field("name", "Changed name")
    asked = []
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: asked.append(1) or answer)
    assert window.close() is closes
    assert asked == [1]
    assert ("Changed name" in sales.read_text()) is saved


def test_opening_another_file_asks_first(window: MainWindow, sales: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window.open_file(sales)
    window.editor.document.remove_steps(["alert"])
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.CANCEL)
    assert not window.open_file(EXAMPLES / "hello.yaml")
    assert window.current_path == sales.resolve() and "alert" not in window.editor.scene.nodes


def test_bad_file_problems_with_lines_and_marked_steps(window: MainWindow, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "flowdeck: 1\nname: Bad\nsteps:\n  first:\n    do: log\n    with: {message: hi}\n    next: second\n"
        "  second:\n    do: file.wirte\n    with: {path: /tmp/x}\n"
    )
    assert window.open_file(bad)
    page = window.editor
    texts = page.problems.texts()
    assert any("line 9" in t and "file.write" in t and "[second]" in t for t in texts), texts
    assert page.scene.nodes["second"].problems and not page.scene.nodes["first"].problems
    page.problems.stepActivated.emit("second")
    assert page.scene.selected_steps() == ["second"]


def test_unreadable_file_keeps_the_current_document(window: MainWindow, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\nsteps:\n")
    window.editor.view.add_block("log")
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    assert not window.open_file(broken)
    assert "broken.yaml:2:6: not valid YAML" in shown[0]
    assert not any("not valid YAML" in t for t in window.editor.problems.texts()), "the open document's problems stay"
    assert "log" in window.editor.scene.nodes


def test_autosave_and_restore_after_a_crash(window: MainWindow, sales: Path, tmp_path: Path, qtbot: QtBot) -> None:
    page = window.editor
    window.open_file(sales)
    assert not page.autosave()  # nothing unsaved, nothing written
    page.document.set_param("alert", "title", "Recovered title")
    assert page.autosave()
    assert "Recovered title" in page.recovery.file.read_text()
    assert "Recovered title" not in sales.read_text()
    # a crashed process left its file behind: a later window finds and restores it
    crashed = page.recovery.file.with_suffix(".json")
    crashed.write_text(crashed.read_text().replace(f'"pid": {__import__("os").getpid()}', '"pid": 999999999'))
    later = EditorPage()
    qtbot.addWidget(later)
    later.recovery = Recovery(tmp_path / "recovery")
    leftovers = later.leftovers()
    assert [lo.original for lo in leftovers] == [sales.resolve()]
    assert later.restore(leftovers[0])
    assert later.document.workflow.steps["alert"].params["title"] == "Recovered title"
    assert later.document.is_modified() and later.document.path == sales.resolve()
    assert later.leftovers() == []
    page.autosave()  # a living window's file (this process) is never offered as a leftover
    assert later.leftovers() == []


def test_saving_discards_the_recovery_file(window: MainWindow, sales: Path) -> None:
    page = window.editor
    window.open_file(sales)
    page.document.set_param("alert", "title", "x")
    page.autosave()
    assert page.recovery.file.exists()
    page.save()
    assert not page.recovery.file.exists()


def test_saving_a_read_only_file_says_so_and_keeps_it(window: MainWindow, sales: Path, qtbot: QtBot) -> None:
    """A 0444 workflow is not overwritten (not even by root): the editor shows the one line and stays modified."""
    from tests.gui.editor.test_crash_recovery import answer_next_question

    window.open_file(sales)
    page = window.editor
    before = sales.read_text()
    sales.chmod(0o444)
    page.document.set_param("fetch", "url", "https://example.invalid/other")
    seen = answer_next_question(QMessageBox.StandardButton.Ok)
    assert not page.save()
    assert seen == [f"{sales.resolve()} could not be written: it is read-only"]
    assert sales.read_text() == before
    assert window.isWindowModified()
