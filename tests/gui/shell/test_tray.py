"""The tray's menu and state badges (offscreen; tests/gui/shell/test_app_x11.py shows it in a real tray)."""

from __future__ import annotations

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from gui.shell.icons import FAILED, IDLE, PAUSED, RUNNING, state_icon
from gui.shell.tray import Tray, TrayRun, TrayWorkflow, tray_state


def test_badges_differ_by_state(qapp) -> None:
    corner = {}
    for state in (IDLE, RUNNING, PAUSED, FAILED):
        image = state_icon(state).pixmap(64, 64).toImage()
        corner[state] = QColor(image.pixel(50, 50)).name()
    assert len(set(corner.values())) == 4, corner
    assert corner[FAILED] == "#e0403a"


def test_state_priority() -> None:
    assert tray_state(2, paused=True, last_failed=True) == RUNNING
    assert tray_state(0, paused=True, last_failed=True) == FAILED
    assert tray_state(0, paused=True, last_failed=False) == PAUSED
    assert tray_state(0, paused=False, last_failed=False) == IDLE


def test_run_menu_lists_workflows_and_runs_the_chosen_one(qtbot: QtBot) -> None:
    tray = Tray()
    tray.set_workflows([TrayWorkflow("Zip backups", "/w/zip.yaml"), TrayWorkflow("Broken", "/w/b.yaml", False)])
    actions = tray.run_menu.actions()
    assert [a.text() for a in actions] == ["Broken", "Zip backups"]
    assert not actions[0].isEnabled()
    with qtbot.waitSignal(tray.run_requested) as blocker:
        actions[1].trigger()
    assert blocker.args == ["/w/zip.yaml"]


def test_recent_runs_open_in_history(qtbot: QtBot) -> None:
    tray = Tray()
    tray.set_recent([TrayRun("r2", "Report", "failed", 1_700_000_000), TrayRun("r1", "Report", "succeeded", 0)])
    texts = [a.text() for a in tray.recent_actions]
    assert texts[0].startswith("Report — failed") and texts[1] == "Report — succeeded"
    with qtbot.waitSignal(tray.run_selected) as blocker:
        tray.recent_actions[0].trigger()
    assert blocker.args == ["r2"]
    tray.set_recent([])
    assert [a.text() for a in tray.recent_actions] == ["No runs yet"]


def test_state_sets_icon_tooltip_and_pause_text(qtbot: QtBot) -> None:
    tray = Tray()
    tray.set_state(0, paused=True, last_failed=None)
    assert tray.state == PAUSED and tray.pause_action.text() == "Res&ume all"
    assert "paused" in tray.icon.toolTip()
    with qtbot.waitSignal(tray.pause_requested) as blocker:
        tray.pause_action.trigger()
    assert blocker.args == [False]
    tray.set_state(1, paused=False, last_failed="Report")
    assert tray.state == RUNNING and "1 running" in tray.icon.toolTip() and "Report" in tray.icon.toolTip()
    assert tray.icon.icon().cacheKey() == state_icon(RUNNING).cacheKey()


def test_clicking_a_failure_message_selects_its_run(qtbot: QtBot) -> None:
    tray = Tray()
    tray.message("Report failed", "boom", "error", run_id="r9")
    with qtbot.waitSignal(tray.run_selected) as blocker:
        tray.icon.messageClicked.emit()
    assert blocker.args == ["r9"]
