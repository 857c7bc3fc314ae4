"""Typos in a hand-written file get a one-click fix in the Problems list and the inspector, undoable."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from engine.io import dumps
from gui.editor import EditorPage
from gui.editor import files as files_mod

TEXT = """\
flowdeck: 1
name: Typos
steps:
  fetch:
    do: http.requst   # the API
    with: {url: "http://127.0.0.1:9/"}
    next: say
  say:
    do: log
    with:
      mesage: hi   # what the log says
"""


@pytest.fixture
def page(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EditorPage:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    path = tmp_path / "typos.yaml"
    path.write_text(TEXT)
    page = EditorPage()
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    assert page.open_file(path)
    return page


def _buttons(page: EditorPage) -> dict[str, object]:
    return {b.text(): b for b in page.problems.fix_buttons()}


def test_problems_list_offers_and_applies_the_fixes(qtbot: QtBot, page: EditorPage) -> None:
    buttons = _buttons(page)
    assert set(buttons) == {"Change to http.request", "Rename to message"}
    assert any("line 5" in t and "http.requst" in t for t in page.problems.texts())
    buttons["Rename to message"].click()
    step = page.document.workflow.steps["say"]
    assert step.params == {"message": "hi"}
    assert page.actions_["undo"].text() == "&Undo Rename to message in say"
    saved = dumps(page.document.workflow)
    assert "mesage" not in saved and "{message: hi}  # what the log says" in saved  # the comment stays with it
    qtbot.waitUntil(lambda: set(_buttons(page)) == {"Change to http.request"}, timeout=3000)
    _buttons(page)["Change to http.request"].click()
    assert page.document.workflow.steps["fetch"].do == "http.request"
    qtbot.waitUntil(lambda: not page.problems.fix_buttons(), timeout=3000)
    page.document.undo_stack.undo()
    assert page.document.workflow.steps["fetch"].do == "http.requst"
    page.document.undo_stack.undo()
    assert list(page.document.workflow.steps["say"].params) == ["mesage"]


def test_inspector_offers_the_fixes(qtbot: QtBot, page: EditorPage) -> None:
    page.select_step("say")
    row = page.inspector.page.rows["mesage"]
    qtbot.waitUntil(lambda: row.fix_button.isVisibleTo(page.inspector.page), timeout=3000)
    assert row.fix_button.text() == "Rename to message"
    row.fix_button.click()
    assert page.document.workflow.steps["say"].params == {"message": "hi"}
    page.select_step("fetch")
    inspector_page = page.inspector.page
    qtbot.waitUntil(lambda: inspector_page.fixes.isVisibleTo(inspector_page), timeout=3000)
    (button,) = [b for b in inspector_page.fixes.findChildren(type(row.fix_button)) if b.text()]
    assert button.text() == "Change to http.request"
    button.click()
    assert page.document.workflow.steps["fetch"].do == "http.request"
    qtbot.waitUntil(lambda: page.inspector.page.heading.text() == "HTTP request", timeout=3000)
