"""The open file changed by another program: reloaded when there are no unsaved edits, otherwise the person is
asked (reload / keep mine / show the difference); editors that save by renaming a new file over it are seen too."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPlainTextEdit
from pytestqt.qtbot import QtBot

from gui.editor import EditorPage
from gui.mainwindow import MainWindow

FLOW = "flowdeck: 1\nname: Watched\nsteps:\n  hello: {do: log, with: {message: %s}}\n"


@pytest.fixture
def page(window: MainWindow) -> EditorPage:
    return window.editor


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    path = tmp_path / "watched.yaml"
    path.write_text(FLOW % "first", "utf-8")
    return path


def _message(page: EditorPage) -> str:
    return page.document.workflow.steps["hello"].params["message"]


def _replace_by_rename(path: Path, text: str) -> None:
    """How vim and VS Code save: a new file renamed over the old one."""
    tmp = path.with_name(path.name + ".swp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def _answer_each(qtbot: QtBot, acts: list[Callable]) -> list[str]:
    """Answer the next modal dialogs in turn, as a person would; returns their texts."""
    seen: list[str] = []

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if box is not None and box.isVisible() and len(seen) < len(acts):
            view = box.findChild(QPlainTextEdit, "differenceView")
            seen.append(view.toPlainText() if view else box.text() if isinstance(box, QMessageBox) else "")
            acts[len(seen) - 1](box)
        if len(seen) < len(acts):
            QTimer.singleShot(30, poll)

    QTimer.singleShot(30, poll)
    return seen


def _click(words: str) -> Callable:
    return lambda box: next(b for b in box.buttons() if words in b.text()).click()


def test_no_unsaved_edits_reloads_also_after_a_rename_save(page: EditorPage, flow: Path, qtbot: QtBot) -> None:
    assert page.open_file(flow)
    flow.write_text(FLOW % "second", "utf-8")
    qtbot.waitUntil(lambda: _message(page) == "second", timeout=5000)
    assert not page.document.is_modified() and "Reloaded" in page.view.hint_text()
    _replace_by_rename(flow, FLOW % "third")
    qtbot.waitUntil(lambda: _message(page) == "third", timeout=5000)
    _replace_by_rename(flow, FLOW % "fourth")  # still watched after the rename
    qtbot.waitUntil(lambda: _message(page) == "fourth", timeout=5000)
    assert page.save() and flow.read_text("utf-8").count("fourth") == 1  # our own save is no outside change
    qtbot.wait(400)
    assert not page.document.is_modified()


def test_unsaved_edits_ask_show_the_difference_then_keep_mine(page: EditorPage, flow: Path, qtbot: QtBot) -> None:
    assert page.open_file(flow)
    page.document.set_param("hello", "message", "mine")
    seen = _answer_each(qtbot, [_click("Show the difference"), lambda d: d.reject(), _click("Keep mine")])
    flow.write_text(FLOW % "theirs", "utf-8")
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=5000)
    assert "changed by another program" in seen[0]
    lines = seen[1].splitlines()
    assert any(line.startswith("-") and "mine" in line for line in lines)
    assert any(line.startswith("+") and "theirs" in line for line in lines)
    assert _message(page) == "mine" and page.document.is_modified()
    assert page.save() and "mine" in flow.read_text("utf-8")


def test_unsaved_edits_ask_then_reload(page: EditorPage, flow: Path, qtbot: QtBot) -> None:
    assert page.open_file(flow)
    page.document.set_param("hello", "message", "mine")
    seen = _answer_each(qtbot, [_click("Reload")])
    _replace_by_rename(flow, FLOW % "theirs")
    qtbot.waitUntil(lambda: _message(page) == "theirs", timeout=5000)
    assert seen and not page.document.is_modified()


def test_new_and_open_clear_the_last_run_in_the_run_panel(page: EditorPage, flow: Path) -> None:
    from engine.runtime import events as ev

    panel = page.run_panel
    panel.watch("r1")
    panel._event(ev.Event(ev.RUN_FINISHED, "r1", "Watched", None, {"status": "failed", "error": {"message": "boom"}}))
    assert "boom" in panel.status.text()
    assert page.open_file(flow)
    assert panel.current() is None and "No run yet" in panel.status.text() and panel.table.rowCount() == 0
    panel.watch("r1")
    assert page.new_workflow()
    assert panel.current() is None and "No run yet" in panel.status.text()
