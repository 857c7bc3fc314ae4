"""WorkflowDocument: every edit is one undo command; undo gives back exactly the model (and file) from before."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from engine.io import dumps, read_file, read_text
from engine.registry import MISSING
from gui.document import WorkflowDocument

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"


def _doc(name: str = "daily-sales-report.yaml") -> WorkflowDocument:
    wf, problems = read_file(EXAMPLES / name)
    assert wf is not None, problems
    return WorkflowDocument(wf)


def _undo_all_gives_back(doc: WorkflowDocument, before: str) -> None:
    after = dumps(doc.workflow)
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert dumps(doc.workflow) == before
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert dumps(doc.workflow) == after


def test_set_param_pushes_one_command_and_emits(qtbot: QtBot) -> None:
    doc = _doc()
    before = dumps(doc.workflow)
    with qtbot.waitSignal(doc.stepChanged) as changed:
        doc.set_param("fetch", "url", "https://example.com/x")
    assert changed.args == ["fetch"]
    assert doc.workflow.steps["fetch"].params["url"] == "https://example.com/x"
    assert doc.undo_stack.count() == 1
    assert doc.is_modified()
    doc.undo_stack.undo()
    assert dumps(doc.workflow) == before
    assert not doc.is_modified()


def test_typing_into_one_field_merges_into_one_undo_step() -> None:
    doc = _doc()
    for text in ("h", "ht", "htt", "http://a"):
        doc.set_param("fetch", "url", text)
    doc.set_param("keep", "query", "x")
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.workflow.steps["fetch"].params["url"] == "{{ vars.api }}"


def test_missing_removes_the_key_and_undo_puts_it_back_in_place() -> None:
    doc = _doc()
    before = dumps(doc.workflow)
    doc.set_param("fetch", "auth", MISSING)
    assert "auth" not in doc.workflow.steps["fetch"].params
    doc.undo_stack.undo()
    assert list(doc.workflow.steps["fetch"].params) == ["url", "query", "auth", "secret"]
    assert dumps(doc.workflow) == before


def test_rename_rewires_every_reference(qtbot: QtBot) -> None:
    doc = _doc()
    before = dumps(doc.workflow)
    with qtbot.waitSignal(doc.stepRenamed) as renamed:
        doc.rename_step("fetch", "download")
    assert renamed.args == ["fetch", "download"]
    wf = doc.workflow
    assert list(wf.steps)[1] == "download"
    assert wf.steps["yesterday"].next == {"next": ["download"]}
    assert wf.steps["keep"].params["data"] == "{{ steps.download.json }}"
    assert list(wf.layout)[1] == "download"
    assert "fetch" not in wf.steps and "fetch" not in wf.layout
    _undo_all_gives_back(doc, before)


@pytest.mark.parametrize(
    ("new", "reason"),
    [("keep", "already a step"), ("2fast", "starts with a letter"), ("fail", "reserved"), ("a-b", "letters")],
)
def test_rename_refuses_bad_ids(new: str, reason: str) -> None:
    doc = _doc()
    assert reason in (doc.rename_problem("fetch", new) or "")
    with pytest.raises(ValueError, match=reason):
        doc.rename_step("fetch", new)
    assert doc.undo_stack.count() == 0


def test_add_step_uses_block_defaults_and_unique_ids(qtbot: QtBot) -> None:
    doc = _doc()
    with qtbot.waitSignal(doc.stepAdded):
        first = doc.add_step("log", (10, 20))
    second = doc.add_step("log", (10, 200))
    assert first == "log" and second == "log_2"
    assert doc.workflow.layout[first] == [10, 20]
    assert doc.workflow.steps[first].do == "log"
    doc.undo_stack.undo()
    assert "log_2" not in doc.workflow.steps and "log_2" not in doc.workflow.layout


def test_remove_steps_drops_wires_and_undo_restores_order(qtbot: QtBot) -> None:
    doc = _doc()
    before = dumps(doc.workflow)
    with qtbot.waitSignals([doc.wiresChanged, doc.stepRemoved]):
        doc.remove_steps(["fetch", "alert"])
    wf = doc.workflow
    assert list(wf.steps) == ["yesterday", "keep", "append"]
    assert wf.steps["yesterday"].next == {}
    assert doc.undo_stack.count() == 1
    _undo_all_gives_back(doc, before)


def test_wires_connect_disconnect_and_refusals() -> None:
    doc = _doc()
    before = dumps(doc.workflow)
    assert doc.wire_problem("keep", "next", "keep") is not None
    assert "no port 'then'" in (doc.wire_problem("keep", "then", "alert") or "")
    assert "already" in (doc.wire_problem("keep", "next", "append") or "")
    assert "no step" in (doc.wire_problem("keep", "next", "nowhere") or "")
    with pytest.raises(ValueError, match="itself"):
        doc.add_wire("keep", "next", "keep")
    doc.add_wire("keep", "next", "alert")
    assert doc.workflow.steps["keep"].next == {"next": ["append", "alert"]}
    doc.add_wire("append", "error", "alert")
    assert doc.workflow.steps["append"].on_error == "alert"
    doc.remove_wire("fetch", "error", "alert")
    assert doc.workflow.steps["fetch"].on_error == "fail"
    assert doc.undo_stack.count() == 3
    _undo_all_gives_back(doc, before)


def test_switch_accepts_any_port_name() -> None:
    doc = WorkflowDocument()
    sw = doc.add_step("switch")
    a = doc.add_step("log")
    assert doc.wire_problem(sw, "weekend", a) is None
    doc.add_wire(sw, "weekend", a)
    assert "weekend" in doc.output_ports(sw)


def test_move_steps_is_one_command(qtbot: QtBot) -> None:
    doc = _doc()
    before = dumps(doc.workflow)
    with qtbot.waitSignal(doc.stepMoved):
        doc.move_steps({"fetch": (300, 20), "keep": (500, 20), "alert": (500, 160)})
    assert doc.undo_stack.count() == 1
    assert doc.workflow.layout["keep"] == [500, 20]
    doc.move_steps({"fetch": (300, 20)})  # no change, no command
    assert doc.undo_stack.count() == 1
    _undo_all_gives_back(doc, before)


def test_step_and_workflow_fields(qtbot: QtBot) -> None:
    doc = _doc()
    before = dumps(doc.workflow)
    doc.set_step_field("fetch", "timeout", "5m")
    doc.set_step_field("fetch", "title", "Get it")
    with qtbot.waitSignal(doc.workflowChanged):
        doc.set_workflow_field("vars", {"api": "http://x"})
    doc.set_workflow_field("name", "Renamed")
    assert doc.workflow.steps["fetch"].timeout == "5m"
    with pytest.raises(ValueError, match="no field"):
        doc.set_step_field("fetch", "colour", "red")
    _undo_all_gives_back(doc, before)


def test_copy_paste_gives_new_ids_and_keeps_inner_wires() -> None:
    doc = _doc()
    text = doc.copy_yaml(["fetch", "keep"])
    assert "fetch:" in text and "do: http.request" in text
    new = doc.paste_yaml(text)
    assert new == ["fetch_2", "keep_2"]
    wf = doc.workflow
    assert wf.steps["fetch_2"].next == {"next": ["keep_2"]}  # the wire to 'append' left the copy
    assert wf.steps["fetch_2"].on_error == "fail"
    assert wf.steps["keep_2"].params["data"] == "{{ steps.fetch_2.json }}"
    assert wf.layout["fetch_2"] == [280, 40]
    assert doc.undo_stack.count() == 1


def test_paste_into_another_document_and_bare_mapping() -> None:
    other = WorkflowDocument()
    assert other.paste_yaml(_doc().copy_yaml(["alert"]), at=(100, 100)) == ["alert"]
    assert other.workflow.layout["alert"] == [100, 100]
    assert other.paste_yaml("hello:\n  do: log\n  with: {message: hi}\n") == ["hello"]
    with pytest.raises(ValueError, match="no Flowdeck steps"):
        other.paste_yaml("just some text")


def test_problems_follow_the_model(qtbot: QtBot) -> None:
    doc = _doc()
    assert not [p for p in doc.problems() if p.is_error]
    with qtbot.waitSignal(doc.problemsChanged, timeout=3000):
        doc.set_param("fetch", "url", MISSING)
    assert "fetch" in doc.step_problems()


def test_a_renamed_step_keeps_its_comments_and_undo_puts_them_back() -> None:
    text = (EXAMPLES / "daily-sales-report.yaml").read_text()
    text = text.replace("  fetch:\n", "  # Ask the shop for yesterday's numbers.\n  fetch:  # the slow one\n", 1)
    wf, problems = read_text(text, "commented.yaml")
    assert wf is not None, problems
    doc = WorkflowDocument(wf)
    before = dumps(doc.workflow)
    doc.rename_step("fetch", "ask_shop")
    saved = dumps(doc.workflow).splitlines()
    at = saved.index("  ask_shop:  # the slow one")
    assert saved[at - 1] == "  # Ask the shop for yesterday's numbers."
    _undo_all_gives_back(doc, before)
    assert "  fetch:  # the slow one" in before.splitlines()


def test_notes_groups_and_disabled_steps_are_undoable_edits_that_follow_renames_and_deletes(qtbot) -> None:
    """Each edit of a note, a group or a disabled step is one undo step; a group follows its steps' renames and
    deletions, and undo brings them back into it."""
    from engine.io import dumps, read_text
    from gui.document import WorkflowDocument

    wf, _ = read_text(
        "flowdeck: 1\nname: G\nsteps:\n"
        "  a: {do: log, with: {message: x}, next: b}\n  b: {do: log, with: {message: y}}\n"
    )
    doc = WorkflowDocument(wf)
    seen: list[str] = []
    doc.decorChanged.connect(lambda: seen.append("decor"))
    name = doc.add_group(["a", "b"], "Both", "red")
    note = doc.add_note((10, 20), "*hi*")
    doc.set_note(note, text="*hi* there")
    doc.set_note(note, text="*hi* there!")  # typing into one note's text: one undo step
    doc.set_disabled(["b"], True)
    doc.rename_step("a", "first")
    assert wf.groups[name].steps == ["first", "b"] and wf.steps["b"].disabled
    doc.remove_steps(["b"])
    assert wf.groups[name].steps == ["first"]
    assert "  group Both: {colour: red, steps: [first]}" in dumps(wf)
    doc.undo_stack.undo()
    assert wf.groups[name].steps == ["first", "b"]
    doc.undo_stack.undo()
    assert wf.groups[name].steps == ["a", "b"]
    doc.undo_stack.undo()
    assert not wf.steps["b"].disabled
    doc.undo_stack.undo()
    assert wf.notes[note].text == "*hi*"
    doc.undo_stack.undo()
    assert wf.notes == {}
    doc.undo_stack.undo()
    assert wf.groups == {} and seen
