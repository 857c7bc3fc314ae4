"""The inspector's "In run" section: a past run's inputs and output of one step, read-only, with Copy."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPlainTextEdit, QToolButton
from pytestqt.qtbot import QtBot

from engine.runtime.records import StepRecord
from gui.inspector.run_values import RunValues


def test_a_big_output_shows_its_start_and_copy_copies_it_all(qtbot: QtBot) -> None:
    """A 1 MB output is not written out as YAML when the step is selected (that takes seconds): its start shows,
    and Copy puts the whole value on the clipboard."""
    rows = [{"id": i, "text": "x" * 90} for i in range(10_000)]
    record = StepRecord("fetch", "json.parse", "succeeded", inputs={"text": "small"}, output={"rows": rows})
    values = RunValues("3f2a9c1234ab", record)
    qtbot.addWidget(values)
    assert values.texts["Inputs"] == "text: small\n"
    box = values.findChild(QPlainTextEdit, "runOutput")
    assert box.isReadOnly() and box.toPlainText().endswith("Copy copies all of it, as JSON)")
    assert len(box.toPlainText()) < 25_000
    values.findChild(QToolButton, "copyOutput").click()
    assert QGuiApplication.clipboard().text().count('"id"') == 10_000


def test_a_step_that_did_not_run(qtbot: QtBot) -> None:
    values = RunValues("3f2a9c1234ab", None)
    qtbot.addWidget(values)
    assert values.status.text() == "This step did not run in this run."
