"""Random sequences of edits: undoing them all gives back the file from before, redoing gives the edited one."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.io import dumps, read_file
from gui.document import WorkflowDocument

EXAMPLE = Path(__file__).resolve().parents[3] / "resources" / "examples" / "daily-sales-report.yaml"
BLOCKS = ["log", "notify", "if", "switch", "file.write"]

edit = st.tuples(
    st.sampled_from(["add", "remove", "connect", "disconnect", "move", "rename", "param", "title", "paste", "vars"]),
    st.integers(0, 50),
    st.integers(0, 50),
    st.sampled_from(["next", "error", "then", "else", "weekend"]),
)


def _apply(doc: WorkflowDocument, op: str, a: int, b: int, port: str) -> None:
    ids = list(doc.workflow.steps)
    pick = (lambda n: ids[n % len(ids)]) if ids else (lambda n: "")
    if op == "add" or not ids:
        doc.add_step(BLOCKS[a % len(BLOCKS)], (a * 10, b * 10))
    elif op == "remove":
        doc.remove_steps([pick(a)])
    elif op == "connect":
        if doc.wire_problem(pick(a), port, pick(b)) is None:
            doc.add_wire(pick(a), port, pick(b))
    elif op == "disconnect":
        wires = doc.workflow.steps[pick(a)].targets()
        if wires:
            doc.remove_wire(pick(a), *wires[b % len(wires)])
    elif op == "move":
        doc.move_steps({pick(a): (b * 7, a * 3), pick(b): (a, b)})
    elif op == "rename":
        new = f"s{a}"
        if doc.rename_problem(pick(b), new) is None:
            doc.rename_step(pick(b), new)
    elif op == "param":
        doc.set_param(pick(a), "message", f"text {b}")
    elif op == "title":
        doc.set_step_field(pick(a), "title", f"Title {b}")
    elif op == "paste":
        doc.paste_yaml(doc.copy_yaml([pick(a), pick(b)]))
    elif op == "vars":
        doc.set_workflow_field("vars", {"n": a})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(edit, min_size=1, max_size=25))
def test_undo_all_then_redo_all(qapp: object, edits: list) -> None:
    wf, _ = read_file(EXAMPLE)
    doc = WorkflowDocument(wf)
    before = dumps(doc.workflow)
    for e in edits:
        _apply(doc, *e)
    after = dumps(doc.workflow)
    steps_after = dict(doc.workflow.steps)
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert dumps(doc.workflow) == before
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert dumps(doc.workflow) == after
    assert doc.workflow.steps == steps_after
    doc.deleteLater()
