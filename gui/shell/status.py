"""What the tray and the dashboard show about runs: how many go, the last few, which workflow last failed.

Plain Python fed from engine events (on the GUI thread); history is read only to seed it and for last runs.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from gui.shell.dashboard import DashboardRow
from gui.shell.history_model import error_message, get, timestamp
from gui.shell.tray import RECENT_RUNS, TrayRun


class RunStatus:
    def __init__(self) -> None:
        self.running: set[str] = set()
        self.recent: deque[TrayRun] = deque(maxlen=RECENT_RUNS)
        self.last_failed: str | None = None
        self._last: dict[str, Any] = {}  # workflow name -> its last run record (None: never ran)

    def seed(self, history: Any) -> None:
        """Start from the history: the last few runs, and a failure badge if the latest run failed."""
        self.recent.clear()
        for record in history.runs(limit=RECENT_RUNS):
            self.recent.append(tray_run(record))
        if self.recent and self.recent[0].status == "failed":
            self.last_failed = self.recent[0].workflow

    def started(self, run_id: str) -> None:
        self.running.add(run_id)

    def finished(self, run_id: str, workflow: str, status: str, when: float) -> None:
        self.running.discard(run_id)
        self.recent.appendleft(TrayRun(run_id, workflow, status, when))
        if status == "failed":
            self.last_failed = workflow
        elif status == "succeeded" and self.last_failed == workflow:
            self.last_failed = None
        self._last.pop(workflow, None)

    def acknowledge(self) -> None:
        """The person looked at the failure: the badge has done its job."""
        self.last_failed = None

    def forget(self) -> None:
        self._last.clear()

    def last_run(self, workflow: str, history: Any) -> Any:
        if workflow not in self._last:
            self._last[workflow] = history.last_run(workflow) if history is not None else None
        return self._last[workflow]

    def row(self, info: Any, history: Any) -> DashboardRow:
        """A dashboard row from the service's WorkflowInfo and the workflow's last run."""
        last = self.last_run(info.name, history)
        return DashboardRow(
            name=info.name,
            path=str(info.path),
            triggers=list(info.triggers),
            next_run=info.next_run,
            enabled=info.enabled,
            valid=info.valid,
            problems=[str(p) for p in info.problems],
            last_status=get(last, "status") if last else None,
            last_time=timestamp(get(last, "started")) if last else None,
            last_error=error_message(last) if last else "",
        )


def tray_run(record: Any) -> TrayRun:
    return TrayRun(
        str(get(record, "run_id", "")),
        str(get(record, "workflow", "")),
        str(get(record, "status", "")),
        timestamp(get(record, "started")) or 0.0,
    )
