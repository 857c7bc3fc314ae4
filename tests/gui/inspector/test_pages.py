"""Step header, On error, workflow settings (variables, triggers, overlap) and expression completion."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from engine.model.workflow import Trigger
from gui.document import WorkflowDocument
from gui.inspector import Inspector
from gui.inspector.completion import expressions
from gui.inspector.step_page import StepPage
from gui.inspector.triggers import next_times
from gui.inspector.workflow_page import WorkflowPage
from tests.gui.inspector.conftest import REGISTRY


def test_completion_lists_outputs_vars_and_context(document: WorkflowDocument) -> None:
    names = expressions(document.workflow, REGISTRY, "last")
    assert "steps.kinds.result" in names and "steps.first.message" in names
    assert not [n for n in names if n.startswith("steps.last.")]  # a step does not read its own output
    assert "vars.folder" in names
    for prefix in ("trigger.", "loop.", "run.", "env.", "error."):
        assert any(n.startswith(prefix) for n in names), prefix


def test_completion_pops_up_inside_braces_and_inserts(qtbot: QtBot, inspector: Inspector) -> None:
    inspector.show_step("last")
    row = inspector.page.rows["message"]
    line = row.editor.line
    line.clear()
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    qtbot.keyClicks(line, "Total: {{ steps.ki")
    completer = row.completer
    assert completer.popup().isVisible()
    assert completer.currentCompletion() == "steps.kinds.result"
    completer.activated[str].emit("steps.kinds.result")
    assert line.text() == "Total: {{ steps.kinds.result }}"
    assert inspector.document.workflow.steps["last"].params["message"] == "Total: {{ steps.kinds.result }}"


def test_title_and_description_edit_with_undo(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    inspector.show_step("first")
    page = inspector.page
    assert isinstance(page, StepPage) and page.heading.text() == "Log"
    qtbot.keyClicks(page.title.line, "Say hello")
    assert document.workflow.steps["first"].title == "Say hello"
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert page.title.line.text() == ""


def test_rename_checks_the_id_and_follows(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    inspector.show_step("kinds")
    line = inspector.page.id_line
    line.line.setText("last")
    line.line.editingFinished.emit()
    assert "kinds" in document.workflow.steps
    assert "last" in line.problem.text() and not line.problem.isHidden()
    line.line.setText("make")
    line.line.editingFinished.emit()
    assert "make" in document.workflow.steps and "kinds" not in document.workflow.steps
    assert inspector.step_id == "make" and inspector.page.id_line.text() == "make"
    assert document.workflow.steps["last"].params["message"] == "{{ steps.make.result }}"
    document.undo_stack.undo()
    assert inspector.step_id == "kinds"


def test_on_error_section(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    inspector.show_step("kinds")
    page = inspector.page
    page.attempts.setValue(3)
    qtbot.keyClicks(page.backoff.line, "5s")
    qtbot.keyClicks(page.timeout.line, "2 hours")
    step = document.workflow.steps["kinds"]
    assert step.retry == {"attempts": 3, "backoff": "5s"}
    assert document.undo_stack.count() == 2  # retry edits merge, and so does typing the time limit
    assert step.timeout == "2 h"  # the last text that read as a duration
    assert "expected a duration" in page.timeout.problem.text()
    page.route.setCurrentIndex(page.route.findData("first"))
    page.route.activated.emit(page.route.findData("first"))
    assert step.on_error == "first"
    page.route.activated.emit(page.route.findData("continue"))
    assert document.workflow.steps["kinds"].on_error == "continue"
    page.attempts.setValue(1)
    assert document.workflow.steps["kinds"].retry == {"backoff": "5s"}


def test_workflow_page_name_vars_overlap(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    inspector.show_step(None)
    page = inspector.page
    assert isinstance(page, WorkflowPage) and page.name.text() == "Inspector test"
    page.name.line.selectAll()
    qtbot.keyClicks(page.name.line, "Nightly")
    assert document.workflow.name == "Nightly"
    page.name.line.clear()
    assert page.name.problem.text() == "a workflow needs a name" and document.workflow.name == "Nightly"
    page.vars.add_row()
    row = page.vars.table.rowCount() - 1
    page.vars.table.item(row, 0).setText("limit")
    page.vars.table.item(row, 1).setText("10")
    assert document.workflow.vars == {"folder": "~/Reports", "limit": "10"}
    page.overlap.activated.emit(page.overlap.findData("queue"))
    assert document.workflow.policy == {"overlap": "queue"}
    document.undo_stack.undo()
    assert page.overlap.currentData() == "skip"


def test_triggers_add_edit_remove(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    inspector.show_step(None)
    triggers = inspector.page.triggers
    assert triggers.cards == [] and not triggers.empty.isHidden()
    menu = triggers.add.menu()
    next(action for action in menu.actions() if action.text() == "Schedule (cron)").trigger()
    assert document.workflow.triggers == [Trigger("schedule", {"cron": "0 8 * * mon-fri"})]
    card = triggers.cards[0]
    assert "Every weekday at 08:00" in card.words.text() and card.words.text().count(":00") == 6
    cron = card.lines["cron"].line
    cron.selectAll()
    qtbot.keyClicks(cron, "30 6 * *")
    assert "expected 5 fields" in card.lines["cron"].problem.text()
    qtbot.keyClicks(cron, " *")
    assert document.workflow.triggers[0].options["cron"] == "30 6 * * *"
    assert "Every day at 06:30" in card.words.text()
    assert triggers.cards[0] is card  # typing keeps the card (and its focus)
    next(action for action in menu.actions() if action.text() == "Watch a folder").trigger()
    assert [t.kind for t in document.workflow.triggers] == ["schedule", "watch"]
    triggers.cards[0].removed.emit(0)
    assert [t.kind for t in document.workflow.triggers] == ["watch"]
    document.undo_stack.undo()
    assert len(triggers.cards) == 2


def test_next_times_follow_the_schedule() -> None:
    times = next_times(Trigger("schedule", {"cron": "0 8 * * mon-fri"}))
    assert len(times) == 5 and all(t.hour == 8 and t.minute == 0 and t.weekday() < 5 for t in times)
    assert times == sorted(times) and len(set(times)) == 5
    every = next_times(Trigger("schedule", {"every": "10m"}))
    assert [round((b - a).total_seconds()) for a, b in itertools.pairwise(every)] == [600] * 4
    assert next_times(Trigger("schedule", {"cron": "nonsense"})) == []


def test_unknown_params_and_removed_step(inspector: Inspector, document: WorkflowDocument) -> None:
    document.set_param("first", "colour", "blue")
    inspector.show_step("first")
    assert "colour" in inspector.page.rows
    document.remove_steps(["first"])
    assert isinstance(inspector.page, WorkflowPage)
    assert Qt.AlignmentFlag.AlignLeft is not None


def test_schedule_time_zone_is_optional_and_checked(
    qtbot: QtBot, inspector: Inspector, document: WorkflowDocument
) -> None:
    document.set_workflow_field("triggers", [Trigger("schedule", {"every": "1h"})])
    inspector.show_step(None)
    card = inspector.page.triggers.cards[0]
    zone = card.lines["timezone"].line
    qtbot.keyClicks(zone, "Mars/Olympus")
    assert document.workflow.triggers[0].options["timezone"] == "Mars/Olympus"
    assert card.lines["timezone"].problem.text()  # the engine's check names the unknown zone
    zone.selectAll()
    qtbot.keyClick(zone, Qt.Key.Key_Backspace)
    assert document.workflow.triggers[0].options == {"every": "1h"}
    assert "Every hour" in card.words.text()


def test_step_problems_no_field_can_show_appear_under_the_header(
    qtbot: QtBot, inspector: Inspector, document: WorkflowDocument
) -> None:
    document.add_step("log", step_id="lonely")
    inspector.show_step("lonely")
    general = inspector.page.general
    qtbot.waitUntil(lambda: "never runs" in general.text(), timeout=3000)
    assert not general.isHidden()
    inspector.show_step("kinds")
    assert inspector.page.general.isHidden()


def test_outputs_are_listed_as_later_steps_write_them(inspector: Inspector) -> None:
    inspector.show_step("kinds")
    text = inspector.page.outputs.text()
    assert "<code>{{ steps.kinds.result }}</code> — what it made" in text


def test_watch_events_are_chosen_with_boxes(inspector: Inspector, document: WorkflowDocument) -> None:
    document.set_workflow_field("triggers", [Trigger("watch", {"path": "~/Downloads", "pattern": "*.pdf"})])
    inspector.show_step(None)
    card = inspector.page.triggers.cards[0]
    assert card.events["created"].isChecked() and not card.events["moved"].isChecked()
    card.events["moved"].click()
    assert document.workflow.triggers[0].options["events"] == ["created", "moved"]
    assert "created or moved" in card.words.text()
    card.events["moved"].click()
    assert "events" not in document.workflow.triggers[0].options  # back to the default, not written
    card.events["created"].click()
    assert document.workflow.triggers[0].options["events"] == []
    assert "expected a list of created" in card.words.text()  # no event at all: the engine check says so


def test_typing_into_a_trigger_is_one_undo_step(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    inspector.show_step(None)
    triggers = inspector.page.triggers
    next(a for a in triggers.add.menu().actions() if a.text() == "Every…").trigger()
    every = triggers.cards[0].lines["every"].line
    every.selectAll()
    qtbot.keyClicks(every, "15m")
    zone = triggers.cards[0].lines["timezone"].line
    qtbot.keyClicks(zone, "UTC")
    assert document.workflow.triggers[0].options == {"every": "15m", "timezone": "UTC"}
    assert document.undo_stack.count() == 3  # add, typing the interval, typing the zone
    document.undo_stack.undo()
    assert document.workflow.triggers[0].options == {"every": "15m"}
    document.undo_stack.undo()
    assert document.workflow.triggers[0].options == {"every": "10m"}
    document.undo_stack.undo()
    assert document.workflow.triggers == []


def test_missed_runs_and_on_failure(qtbot: QtBot, inspector: Inspector, document: WorkflowDocument) -> None:
    inspector.show_step(None)
    page = inspector.page
    assert page.catch_up.currentData() == "last"
    page.catch_up.activated.emit(page.catch_up.findData("last"))
    assert document.workflow.policy == {}  # the default is not written
    page.catch_up.activated.emit(page.catch_up.findData("none"))
    assert document.workflow.policy == {"catch_up": "none"}
    qtbot.keyClicks(page.on_failure.line, "firs")
    qtbot.waitUntil(lambda: "neither a step nor a workflow file" in page.problems.text(), timeout=3000)
    qtbot.keyClicks(page.on_failure.line, "t")
    assert document.workflow.on_failure == "first"
    qtbot.waitUntil(lambda: page.problems.isHidden(), timeout=3000)
    document.undo_stack.undo()  # the typing was one step
    assert document.workflow.on_failure is None and page.on_failure.text() == ""
