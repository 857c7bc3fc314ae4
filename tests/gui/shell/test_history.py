"""The run history page over a real SQLite history filled by real runs: lazy paging, filters, a run's steps, clear."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from engine.io import load_workflow
from engine.runtime import Engine
from engine.runtime import history as history_mod
from gui.shell.history_model import PAGE, get
from gui.shell.history_page import HistoryPage, RunDetail

OK = """flowdeck: 1
name: Greeter
steps:
  hello:
    do: log
    with: {message: "hi {{ run.id }}"}
"""
BAD = """flowdeck: 1
name: Breaker
steps:
  boom:
    do: fail
    with: {message: broken on purpose}
"""


@pytest.fixture(scope="module")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """450 runs: 400 that succeed and 50 that fail (more than two pages)."""
    folder = tmp_path_factory.mktemp("history")
    (folder / "ok.yaml").write_text(OK)
    (folder / "bad.yaml").write_text(BAD)
    path = folder / "history.db"
    history = history_mod.History(path)
    engine = Engine(workers=2, history=history)
    ok, bad = load_workflow(folder / "ok.yaml"), load_workflow(folder / "bad.yaml")
    handles = [engine.submit(bad if i % 9 == 0 else ok) for i in range(450)]
    for handle in handles:
        handle.wait(60)
    engine.shutdown(5)
    history.close()
    return path


@pytest.fixture
def page(qtbot: QtBot, history_file: Path):
    history = history_mod.History(history_file)
    p = HistoryPage(history)
    qtbot.addWidget(p)
    p.resize(1000, 700)
    yield p
    history.close()


def test_runs_load_a_page_at_a_time(page: HistoryPage) -> None:
    model = page.model
    assert model.rowCount() == PAGE
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE
    model.fetchMore()
    assert model.rowCount() == 450 and not model.canFetchMore()
    started = [get(r, "started") for r in model.records]
    assert started == sorted(started, reverse=True), "newest first"


def test_filters_by_workflow_and_status(page: HistoryPage) -> None:
    page.workflow.setCurrentIndex(page.workflow.findData("Breaker"))
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert page.model.rowCount() == 50
    assert {get(r, "workflow") for r in page.model.records} == {"Breaker"}
    page.workflow.setCurrentIndex(0)
    page.status.setCurrentIndex(page.status.findData("failed"))
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert page.model.rowCount() == 50
    assert "Clear all history" in page.clear_button.text()


def test_a_run_opens_to_its_steps(page: HistoryPage) -> None:
    failed = page.history.runs(status="failed", limit=1)[0]
    assert page.open_run(get(failed, "run_id"))
    detail = page.detail
    assert "Breaker" in detail.title.text() and "broken on purpose" in detail.error.text()
    assert detail.steps.topLevelItemCount() == 1
    step = detail.steps.topLevelItem(0)
    assert step.text(0) == "boom" and step.text(1) == "failed" and step.text(3) == "1"
    assert "broken on purpose" in detail.text.toPlainText()
    assert detail.rerun.isEnabled()


def test_open_run_clears_filters_that_hide_it(page: HistoryPage) -> None:
    ok = page.history.runs(status="succeeded", limit=1, offset=300)[0]
    page.status.setCurrentIndex(page.status.findData("failed"))
    assert page.open_run(get(ok, "run_id"))
    assert page.status.currentData() is None
    assert "hi " in page.detail.text.toPlainText()  # the log line of its one step


def test_clear_history_of_one_workflow(qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(OK)
    (tmp_path / "bad.yaml").write_text(BAD)
    history = history_mod.History(tmp_path / "h.db")
    engine = Engine(workers=1, history=history)
    for name in ("ok", "bad", "ok"):
        engine.run(load_workflow(tmp_path / f"{name}.yaml"))
    engine.shutdown(5)
    page = HistoryPage(history)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.cleared) as blocker:
        page.clear("Breaker")
    assert blocker.args == ["Breaker"]
    assert page.model.rowCount() == 2
    assert [page.workflow.itemData(i) for i in range(page.workflow.count())] == [None, "Greeter"]
    history.close()


def test_a_long_error_is_one_line_cut_to_the_width_with_the_whole_on_hover(qtbot: QtBot) -> None:
    """A failed run's error in the run detail stays one line however long it is (a secrets path, an HTML body): it
    never wraps nor widens the page, and its tooltip holds the whole message."""
    detail = RunDetail()
    qtbot.addWidget(detail)
    detail.resize(700, 400)
    detail.show()
    message = "fetch: HTTP 404 from http://127.0.0.1/report " + "<p>Not found here at all</p>\n" * 200
    detail.show_run({"workflow": "Report", "status": "failed", "started": 1.0, "error": {"message": message}})
    assert detail.error.isVisible() and "\n" not in detail.error.text() and detail.error.text().endswith("…")
    assert detail.error.height() <= 2 * detail.error.fontMetrics().height()  # one line, not three
    assert detail.error.text().startswith("HTTP 404 from") or detail.error.text().startswith("fetch: HTTP 404")
    assert "Not found here at all" in detail.error.toolTip() and detail.minimumSizeHint().width() < 700
    assert "HTTP 404" not in detail.title.text()
