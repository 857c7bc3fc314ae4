"""The editor shows the problems of expressions (engine.io.references) as it shows every other problem."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from engine.io import read_file
from gui.document import WorkflowDocument

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"


def test_a_template_naming_a_missing_step_marks_the_step_that_reads_it(qtbot: QtBot) -> None:
    wf, problems = read_file(EXAMPLES / "daily-sales-report.yaml")
    assert wf is not None, problems
    doc = WorkflowDocument(wf)
    assert doc.step_problems() == {}
    with qtbot.waitSignal(doc.problemsChanged, timeout=3000):
        doc.set_param("append", "path", "{{ steps.fech.json }}/out.csv")
    [problem] = doc.step_problems()["append"]
    assert problem.is_error
    assert problem.message == "steps.append.with.path: steps.fech: there is no step 'fech' — did you mean 'fetch'?"
