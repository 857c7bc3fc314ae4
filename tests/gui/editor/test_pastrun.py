"""Previews while you type and a past run in the editor, with a real Engine writing a real run history (SQLite).

The workflow parses a JSON text (fetch), branches on it (check: then → save, else → shout) and writes a file (save);
a run takes fetch → check → save and never runs shout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot

from engine.registry import default_registry
from engine.runtime import Engine
from engine.runtime.history import History
from engine.runtime.pins import pin
from engine.runtime.records import RunRecord
from gui.bridge import EngineBridge
from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.editor.pastrun import LEFT_ON_EDIT
from gui.inspector.fields import FieldRow
from gui.inspector.preview import NO_RUN
from gui.mainwindow import MainWindow

FLOW = """flowdeck: 1
name: Past run {name}
steps:
  fetch:
    do: json.parse
    with: {{text: '{{"json": {{"total": 12, "items": [1, 2, 3]}}}}'}}
    next: check
  check:
    do: if
    with: {{condition: "{{{{ steps.fetch.value.json.total > 10 }}}}"}}
    next: {{then: save, else: shout}}
  save:
    do: file.write
    with: {{path: out.txt, content: "{{{{ steps.fetch.value.json.total }}}} invoices"}}
  shout:
    do: log
    with: {{message: small}}
layout:
  fetch: [0, 0]
  check: [240, 0]
  save: [480, -60]
  shout: [480, 120]
"""
TAKEN = {("fetch", "next", "check"), ("check", "then", "save")}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = Engine(workers=2, registry=default_registry(), history=History(tmp_path / "history.sqlite3"))
    yield eng
    eng.shutdown(1)


@pytest.fixture
def page(qtbot: QtBot, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EditorPage:
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)
    win = MainWindow(engine=engine, bridge=EngineBridge(engine))
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW.format(name=tmp_path.name), encoding="utf-8")
    assert win.editor.open_file(path)
    return win.editor


def _run(page: EditorPage, qtbot: QtBot) -> str:
    run_id = page.run()
    assert run_id
    qtbot.waitUntil(lambda: page.run_id is None, timeout=15000)
    return run_id


def _row(page: EditorPage, step: str, name: str) -> FieldRow:
    page.select_step(step)
    return page.inspector.page.rows[name]


def _type(qtbot: QtBot, row: FieldRow, text: str) -> None:
    line = row.editor.input_widget()  # a line or a text box, as the parameter's kind has it
    line.setFocus()
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClicks(line, text)


def test_no_run_yet_says_so_and_a_run_gives_the_value(page: EditorPage, qtbot: QtBot) -> None:
    """Before any run the preview says to run once; after one it shows the value rendered with that run's data."""
    row = _row(page, "save", "content")
    assert row.preview.isVisible() and row.preview.full == NO_RUN and not row.preview.error
    assert not _row(page, "save", "path").preview.isVisible()  # no template, no line
    _run(page, qtbot)
    row = _row(page, "save", "content")
    qtbot.waitUntil(lambda: row.preview.full == "→ 12 invoices", timeout=5000)
    assert row.preview.text() == "→ 12 invoices" and row.preview.toolTip() == "12 invoices"


def test_the_preview_follows_typing_and_names_a_missing_output(page: EditorPage, qtbot: QtBot) -> None:
    """Each key press renders again (the last text typed is what the line shows); a misspelt output is named in
    the error colour with the nearest name."""
    _run(page, qtbot)
    row = _row(page, "save", "content")
    _type(qtbot, row, "{{ steps.fetch.valu }}")
    assert row.preview.error
    assert row.preview.full == "'fetch' has no output 'valu' (did you mean 'value'?)"
    _type(qtbot, row, "{{ steps.fetch.value.json.items | length }} items")
    assert not row.preview.error and row.preview.full == "→ 3 items"
    _type(qtbot, row, "{{ steps.fech.value }}")
    assert row.preview.full == "no step 'fech' (did you mean 'fetch'?)"
    _type(qtbot, row, "{{ steps.fetch.value.json }}")
    assert row.preview.full.startswith('→ 2 keys: {"total": 12, "items": [1, 2, 3]}')
    _type(qtbot, row, "{{ secrets.token }}")
    assert row.preview.full == "→ ••••••"  # a secret is never read for a preview
    assert page.document.workflow.steps["save"].params["content"] == "{{ secrets.token }}"


def test_a_long_value_is_elided_with_the_whole_value_in_the_tooltip(page: EditorPage, qtbot: QtBot) -> None:
    _run(page, qtbot)
    row = _row(page, "save", "content")
    _type(qtbot, row, "{{ 'x' * 3000 }}")
    assert row.preview.text().endswith("…") and len(row.preview.text()) < 200
    assert row.preview.toolTip() == "x" * 3000


def test_a_pinned_step_previews_with_its_pin(page: EditorPage, qtbot: QtBot) -> None:
    """A pin stands in for its step's output, with or without a run."""
    pin(page.document.path, "fetch", {"value": {"json": {"total": 40, "items": []}}})
    page.run_view.refresh_previews()
    assert _row(page, "save", "content").preview.full == "→ 40 invoices"


def test_after_an_editor_run_the_path_stays_until_the_next_edit(page: EditorPage, qtbot: QtBot) -> None:
    _run(page, qtbot)
    wires, dimmed = page.run_status.trail()
    assert wires == TAKEN and dimmed == {"shout"}
    assert page.scene.wires[("check", "else", "shout")].trail == "idle"
    assert page.scene.nodes["shout"].status == "skipped"
    page.document.set_param("shout", "message", "louder")
    assert page.run_status.trail() == (set(), set())
    assert page.scene.nodes["shout"].status == "" and page.scene.nodes["save"].status == "succeeded"


def _record(page: EditorPage, run_id: str) -> RunRecord:
    history = page.bridge.engine.history
    history.flush()
    return history.run(run_id)


def test_open_a_past_run_shows_its_path_badges_and_values(page: EditorPage, qtbot: QtBot) -> None:
    """The run's wires are highlighted, the step it did not run dimmed, every step that ran has its badge, and
    the inspector shows the selected step's inputs and output in that run (read-only, with Copy)."""
    run_id = _run(page, qtbot)
    page.document.set_param("shout", "message", "edited since")  # ends the live trail; the run view shows it again
    assert page.open_run(_record(page, run_id)) is None
    assert page.run_view.active and page.run_view.bar.isVisible()
    assert page.run_view.label.text().startswith(f"Showing run {run_id[:6]} of ")
    assert page.run_view.label.text().endswith(" —") and page.run_view.back.text() == "Back to editing"
    assert page.run_status.trail() == (TAKEN, {"shout"})
    assert page.scene.nodes["fetch"].status == "succeeded" and page.scene.nodes["fetch"].status_text.endswith("ms")
    page.select_step("save")
    values = page.inspector.page.run_values
    assert values is not None and values.isVisible()
    assert "content: 12 invoices" in values.texts["Inputs"]
    assert "size: 11" in values.texts["Output"]
    values.findChild(QToolButton, "copyOutput").click()
    assert "size: 11" in QGuiApplication.clipboard().text()
    assert page.inspector.page.rows["content"].preview.full == "→ 12 invoices"
    page.select_step("shout")
    assert page.inspector.page.run_values.status.text() == "This step did not run in this run."


def test_an_edit_leaves_the_run_view_and_says_so(page: EditorPage, qtbot: QtBot) -> None:
    run_id = _run(page, qtbot)
    page.open_run(_record(page, run_id))
    page.document.set_param("shout", "message", "changed")
    assert not page.run_view.active and not page.run_view.bar.isVisible()
    assert page.view.hint_text() == LEFT_ON_EDIT
    assert page.run_status.trail() == (set(), set())
    page.open_run(_record(page, run_id))
    page.run_view.back.click()
    assert not page.run_view.active and page.view.hint_text() == "Back to editing"


def test_run_from_here_uses_the_past_runs_outputs(page: EditorPage, qtbot: QtBot, tmp_path: Path) -> None:
    """Run from here with this run's data: the selected step runs with the earlier outputs of the run shown;
    the steps before it do not run again."""
    run_id = _run(page, qtbot)
    out = tmp_path / "out.txt"
    out.unlink()
    page.open_run(_record(page, run_id))
    assert not page.run_view.run_here.isEnabled()  # no step selected yet
    page.select_step("save")
    assert page.run_view.run_here.isEnabled()
    page.run_view.run_here.click()
    again = page.run_id
    assert again and again != run_id and not page.run_view.active
    qtbot.waitUntil(lambda: page.run_id is None, timeout=15000)
    assert out.read_text() == "12 invoices"
    assert [s.step for s in _record(page, again).steps] == ["save"]


def test_a_changed_file_shows_the_version_the_run_ran(page: EditorPage, qtbot: QtBot) -> None:
    run_id = _run(page, qtbot)
    path = page.document.path
    path.write_text(path.read_text().replace("message: small", "message: tiny"), encoding="utf-8")
    record = _record(page, run_id)
    assert record.version is not None
    page.document.load_problems = []
    page.open_file(path)
    assert page.document.workflow.steps["shout"].params["message"] == "tiny"
    assert page.open_run(record) is None
    assert page.document.workflow.steps["shout"].params["message"] == "small"
    assert f"v{record.version}, the version it ran" in page.run_view.label.text()


def test_a_file_that_is_gone_is_said_in_one_line(page: EditorPage, qtbot: QtBot) -> None:
    run_id = _run(page, qtbot)
    record = _record(page, run_id)
    Path(record.path).unlink()
    problem = page.open_run(record)
    gone = Path(record.path)
    assert problem == f"The workflow file of run {run_id[:6]}, {gone.name}, is gone (it was in {gone.parent})"
    assert not page.run_view.active


def test_history_page_open_in_editor(qtbot: QtBot, page: EditorPage) -> None:
    """The History page's run detail has Open in editor; a problem is said under the run's header."""
    from gui.shell.history_page import HistoryPage

    run_id = _run(page, qtbot)
    history = page.bridge.engine.history
    history.flush()
    view = HistoryPage(history)
    qtbot.addWidget(view)
    view.show()
    assert view.open_run(run_id)
    assert view.detail.open_editor.isEnabled()
    with qtbot.waitSignal(view.open_requested) as asked:
        view.detail.open_editor.click()
    assert asked.args[0].run_id == run_id
    view.say("The workflow file of run x is gone")
    assert view.detail.problem.isVisible()
    assert json.dumps(view.detail.problem.text())


def test_a_mapping_field_previews_the_templates_inside_it(page: EditorPage, qtbot: QtBot) -> None:
    """A mapping setting (a program's extra environment) holding templates previews the whole mapping rendered."""
    _run(page, qtbot)
    step = page.document.add_step("program.run", (720, 0))
    page.document.set_param(step, "env", {"TOTAL": "{{ steps.fetch.value.json.total }}", "MODE": "test"})
    row = _row(page, step, "env")
    qtbot.waitUntil(lambda: row.preview.full.startswith("→ 2 keys"), timeout=5000)
    assert row.preview.full == '→ 2 keys: {"TOTAL": 12, "MODE": "test"}' and not row.preview.error
