"""Run status for the tray: running count, recent runs, and the failure badge's life."""

from gui.shell.status import RunStatus


def test_failure_badge_lasts_until_that_workflow_succeeds_or_is_seen() -> None:
    s = RunStatus()
    s.started("r1")
    s.started("r2")
    assert len(s.running) == 2
    s.finished("r1", "Report", "failed", 10.0)
    assert s.last_failed == "Report" and s.running == {"r2"}
    s.finished("r2", "Backup", "succeeded", 11.0)
    assert s.last_failed == "Report", "another workflow's success does not clear it"
    s.finished("r3", "Report", "succeeded", 12.0)
    assert s.last_failed is None
    s.finished("r4", "Report", "failed", 13.0)
    s.acknowledge()
    assert s.last_failed is None
    assert [r.run_id for r in s.recent] == ["r4", "r3", "r2", "r1"]


def test_recent_keeps_the_last_five() -> None:
    s = RunStatus()
    for i in range(8):
        s.finished(f"r{i}", "W", "succeeded", float(i))
    assert [r.run_id for r in s.recent] == ["r7", "r6", "r5", "r4", "r3"]
