"""The dashboard page as a view: rows, switch, buttons and relative times (the app feeds it; see test_dashboard)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from gui.shell.dashboard import LAST, NEXT, TRIGGERS, DashboardPage, DashboardRow, when


def page(qtbot: QtBot, tmp_path: Path) -> DashboardPage:
    p = DashboardPage(tmp_path)
    qtbot.addWidget(p)
    p.resize(1000, 400)
    return p


def test_rows_show_triggers_next_and_last_run(qtbot: QtBot, tmp_path: Path) -> None:
    p = page(qtbot, tmp_path)
    now = time.time()
    p.set_rows(
        [
            DashboardRow(
                "Report",
                "/w/report.yaml",
                ["every weekday at 08:00"],
                datetime.fromtimestamp(now + 600),
                last_status="failed",
                last_time=now - 120,
                last_error="fetch: HTTP 500",
            ),
            DashboardRow("Backup", "/w/backup.yaml", [], None, enabled=False),
            DashboardRow("Broken", "/w/broken.yaml", valid=False, problems=["broken.yaml:3:1: unknown block 'x'"]),
        ]
    )
    assert [r.name for r in p.rows] == ["Backup", "Broken", "Report"]
    t = p.table
    assert t.item(2, TRIGGERS).text() == "every weekday at 08:00"
    assert t.item(2, NEXT).text() == "in 10 min"
    assert t.item(2, LAST).text() == "failed 2 min ago" and t.item(2, LAST).toolTip() == "fetch: HTTP 500"
    assert t.item(0, TRIGGERS).text() == "only when run by hand"
    assert t.item(0, LAST).text() == "never run"
    assert t.item(1, TRIGGERS).text().startswith("⚠ broken.yaml:3:1")
    assert not p.button_at(1, "run").isEnabled() and not p.switch_at(1).isEnabled()
    assert not p.switch_at(0).isChecked() and p.switch_at(2).isChecked()
    assert not p.empty.isVisible()


def test_switch_and_buttons_say_what_was_asked(qtbot: QtBot, tmp_path: Path) -> None:
    p = page(qtbot, tmp_path)
    p.show()
    p.set_rows([DashboardRow("Report", "/w/report.yaml", ["every hour"])])
    with qtbot.waitSignal(p.enable_changed) as blocker:
        p.switch_at(0).click()
    assert blocker.args == ["/w/report.yaml", False]
    with qtbot.waitSignal(p.run_requested) as blocker:
        p.button_at(0, "run").click()
    assert blocker.args == ["/w/report.yaml"]
    with qtbot.waitSignal(p.open_requested) as blocker:
        p.button_at(0, "open").click()
    assert blocker.args == ["/w/report.yaml"]
    p.new_button.click()
    assert p.template_dialog is not None
    with qtbot.waitSignal(p.template_chosen) as blocker:
        p.template_dialog.create_button.click()
    assert blocker.args[0].endswith(".yaml")


def test_empty_workspace_says_how_to_start(qtbot: QtBot, tmp_path: Path) -> None:
    p = page(qtbot, tmp_path)
    p.show()
    assert p.empty.isVisible() and p.empty.text() == f"Reading the workflows in {tmp_path}…"  # (before the service)
    p.set_rows([])  # the service read the workspace: there are none
    assert p.empty.isVisible() and "New from Template" in p.empty.text() and str(tmp_path) in p.empty.text()


def test_selection_survives_a_refresh(qtbot: QtBot, tmp_path: Path) -> None:
    p = page(qtbot, tmp_path)
    rows = [DashboardRow(n, f"/w/{n}.yaml") for n in ("a", "b", "c")]
    p.set_rows(rows)
    p.select("/w/b.yaml")
    p.set_rows([DashboardRow("aa", "/w/aa.yaml"), *rows])
    assert p.selected_path() == "/w/b.yaml"


def test_when_reads_at_a_glance() -> None:
    now = datetime(2026, 3, 4, 12, 0).timestamp()
    assert when(None) == "—"
    assert when(now + 150, now) == "in 2 min"
    assert when(now + 3500, now) == "in 58 min"
    assert when(now + 3599, now) == "in 1 h"
    assert when(now - 30, now) == "just now"
    assert when(now - 150, now) == "2 min ago"
    assert when(datetime(2026, 3, 4, 18, 30), now) == "today 18:30"
    assert when(datetime(2026, 3, 6, 8, 0), now) == "Fri 08:00"
    assert when(datetime(2026, 5, 1, 8, 0), now) == "2026-05-01 08:00"


def test_a_narrow_page_still_shows_what_starts_each_workflow(qtbot: QtBot, tmp_path: Path) -> None:
    """At 800 px (a window at 200 %) a long name takes at most a third: the Starts column stays readable."""
    from gui.shell.dashboard import NAME

    p = page(qtbot, tmp_path)
    p.resize(800, 400)
    p.show()
    qtbot.waitExposed(p)
    long = "Tell me when the supplier's price page changes its numbers"
    p.set_rows([DashboardRow(long, "/w/page.yaml", ["every hour"], last_status="succeeded", last_time=time.time())])
    qtbot.wait(50)
    header = p.table.horizontalHeader()
    assert header.sectionSize(NAME) <= p.table.viewport().width() // 3
    assert header.sectionSize(TRIGGERS) >= p.table.fontMetrics().horizontalAdvance("every hour")
    assert long in p.table.item(0, NAME).toolTip()
    p.resize(1600, 400)
    qtbot.wait(50)
    assert header.sectionSize(NAME) >= p.table.sizeHintForColumn(NAME)  # wide: the whole name
