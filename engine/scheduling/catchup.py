"""Which fires of a schedule to run now, given when it was last handled: misfire grace and catch_up policy.

Used for every schedule fire (APScheduler hands late fires over too), at start (fires missed while Flowdeck
was closed), after a sleep (the wall clock jumped ahead of the monotonic clock), and when a file that did not
validate is valid again (fires after it broke are not owed: ``until``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.io.triggers import catch_up_mode
from engine.model.durations import parse_duration
from engine.model.workflow import Trigger
from engine.scheduling.jobs import MAX_CATCH_UP, fires_between, to_catch_up

DEFAULT_GRACE = "5m"


@dataclass
class Decision:
    due: list[datetime]  # fires owed since last handled (empty: nothing to do)
    run: list[dict[str, Any]]  # the trigger data of each run to start
    missed: bool  # more than one fire, or later than the grace: worth a log line
    mode: str
    dropped: list[datetime] = field(default_factory=list)  # fires after ``until``: handled without a run


def decide(
    trigger: Trigger, policy: dict[str, Any], seen: datetime, now: datetime, until: datetime | None = None
) -> Decision:
    """The fires after ``seen`` up to ``now``; with ``until``, only those up to it are owed, the rest dropped."""
    mode = catch_up_mode(policy.get("catch_up"))
    due = fires_between(trigger, seen, now)
    dropped = [t for t in due if until is not None and t > until]
    due = due[: len(due) - len(dropped)]
    if not due:
        return Decision([], [], False, mode, dropped)
    grace = parse_duration(policy.get("misfire_grace", DEFAULT_GRACE))
    late = (now - due[-1]).total_seconds()
    missed = len(due) > 1 or late > grace
    chosen = to_catch_up(mode, due, now, grace) if missed else due
    runs = []
    for moment in chosen:
        info: dict[str, Any] = {"scheduled": moment.isoformat(), "late": round((now - moment).total_seconds(), 3)}
        if missed:
            info.update(catch_up=True, missed=len(due))
        runs.append({"kind": "schedule", **trigger.options, **info})
    return Decision(due, runs, missed, mode, dropped)


def not_run_reason(mode: str, because: str) -> str:
    """Why missed fires of a schedule were not run (a history row of status skipped), by ``catch_up`` mode."""
    what = {
        "last": "only the newest missed fire runs",
        "all": f"at most the newest {MAX_CATCH_UP} missed fires run",
        "none": "a missed fire runs only within misfire_grace",
    }.get(mode, "not run")
    return f"catch_up: {mode} — {what} (missed because {because})"
