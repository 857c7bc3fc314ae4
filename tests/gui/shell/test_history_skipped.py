"""Fires that did not run, in the history page: listed with their reason, filtered by the Skipped status."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from engine.io import load_workflow
from engine.runtime import Engine
from engine.runtime import history as history_mod
from gui.shell.history_model import RESULT, STATUS, get
from gui.shell.history_page import HistoryPage

OK = "flowdeck: 1\nname: Morning\nsteps:\n  hello:\n    do: log\n    with: {message: hi}\n"
REASON = "overlap: skip — its previous run was still going"


def test_skipped_fires_show_with_their_reason(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    history = history_mod.History(path)
    (tmp_path / "ok.yaml").write_text(OK)
    engine = Engine(workers=1, history=history)
    engine.run(load_workflow(tmp_path / "ok.yaml"))
    history.record_skipped("Morning", tmp_path / "ok.yaml", {"kind": "schedule", "cron": "0 8 * * *"}, REASON)
    engine.shutdown(2)  # closes the history: everything is written
    page = HistoryPage(history_mod.History(path))
    qtbot.addWidget(page)
    model = page.model
    assert sorted(model.data(model.index(i, STATUS)) for i in range(model.rowCount())) == ["skipped", "succeeded"]
    page.status.setCurrentIndex(page.status.findData("skipped"))
    assert model.rowCount() == 1
    assert model.data(model.index(0, RESULT)) == REASON
    assert page.open_run(get(model.records[0], "run_id"))
    assert "skipped" in page.detail.title.text() and REASON in page.detail.error.toolTip()
    assert page.detail.text.toPlainText() == f"This fire did not run: {REASON}"
    assert page.detail.steps.topLevelItemCount() == 0
    page.history.close()
