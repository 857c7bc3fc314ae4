"""Problem rows start with what is wrong, not with a long absolute path: the file's name, the whole path in the
row's tooltip."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from engine.io import Problem
from gui.editor.problems import ProblemsList


def test_a_row_names_the_file_and_its_tooltip_the_whole_path(qtbot: QtBot) -> None:
    rows = ProblemsList()
    qtbot.addWidget(rows)
    long = "/home/ann/Documents/Flowdeck/reports/nightly/sales-report.yaml: steps.fetch: unknown block 'http.get'"
    rows.show_problems([Problem(long, line=7, file="/home/ann/Documents/Flowdeck/reports/nightly/sales-report.yaml")])
    assert rows.texts() == ["line 7: sales-report.yaml: steps.fetch: unknown block 'http.get'"]
    assert "/home/ann/Documents/Flowdeck/reports/nightly/sales-report.yaml" in rows.item(0).toolTip()
    rows.show_problems([Problem("url: not a web address")])
    assert rows.texts() == ["url: not a web address"]
