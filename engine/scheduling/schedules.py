"""The schedule half of the scheduling service: an APScheduler job per distinct schedule, its fires, catch-up of
fires missed while Flowdeck was closed or the computer slept, and the next fire times.

Mixed into engine.scheduling.service.Service, whose lock, entries, state and clock it uses.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.io.triggers import parse_at
from engine.model.workflow import Trigger
from engine.scheduling.catchup import decide, not_run_reason
from engine.scheduling.clock import ManualClock, SleepWatch, SystemClock
from engine.scheduling.entries import Entry
from engine.scheduling.fires import FireThread
from engine.scheduling.jobs import fires_between, make_trigger, next_fires, trigger_key
from engine.scheduling.runs import Runner
from engine.scheduling.state import SchedulerState
from engine.scheduling.warmup import WINDOW

log = logging.getLogger("flowdeck.scheduling")


class Schedules:
    """Schedule triggers of the Service (which sets these attributes and defines ``_fire``, ``_emit``, ``paused``)."""

    clock: SystemClock | ManualClock
    _lock: threading.RLock
    _entries: dict[Path, Entry]
    _groups: dict[str, dict[str, tuple[Path, Trigger]]]  # APScheduler job id → the schedules that share it
    _state: SchedulerState
    _scheduler: Any
    _sleep: SleepWatch
    _fire: Callable[[Path, dict[str, Any]], Any]
    _fire_all: Callable[[Path, list[dict[str, Any]]], None]
    _fires: FireThread
    _prepared: set[str]  # workflow files whose versions the warm-up kept
    _engine: Any
    _runner: Runner
    _skipped: Callable[..., None]
    _emit: Callable[..., None]
    paused: bool

    def _upcoming(self) -> list[tuple[datetime, int]]:
        """The next fire of each schedule job, soonest first, with how many workflows it starts (for Warmup)."""
        if self.paused or not self._scheduler.running:
            return []
        jobs = [(job.next_run_time, len(self._groups.get(job.id, ()))) for job in self._scheduler.get_jobs()]
        return sorted((when, n) for when, n in jobs if when is not None and n)

    def _warm_fires(self, runs: int) -> None:
        """Shortly before several fires are due together (engine.scheduling.warmup): run processes for them, and
        the history's versions database open with the versions of their files known, so that their fires neither
        import nor open it, and only look whether each file changed since (200 files never run before: ≈ 50 ms
        less before their runs are sent)."""
        self._engine.warm(runs)
        prepare = getattr(self._engine.history, "prepare", None)
        if prepare is not None:  # each file once: the warm-up looks again as fires of a cluster go
            paths = [p for p in map(str, self._due_first()) if p not in self._prepared]
            self._prepared.update(paths)
            prepare(paths)

    def _due_first(self) -> list[Path]:
        """The workflow files of the next cluster of schedule fires (those within WINDOW of the soonest)."""
        jobs = [(job.next_run_time, job.id) for job in self._scheduler.get_jobs() if job.next_run_time is not None]
        if not jobs:
            return []
        first = min(when for when, _id in jobs)
        due = [group for when, group in jobs if (when - first).total_seconds() <= WINDOW]
        return list(dict.fromkeys(path for group in due for path, _trigger in self._groups.get(group, {}).values()))

    def _arm_schedule(self, entry: Entry, trigger: Trigger, now: datetime, fresh: bool) -> None:
        key = trigger_key(entry.path, trigger)
        if fresh:  # enabled again: the fires while it was disabled are not owed, but they are recorded
            self._record_forgiven(entry.path, trigger, key, now, "the workflow was disabled")
            self._state.set_seen(key, now)
        seen = self._state.init_seen(key, now)
        if "at" in trigger.options and parse_at(trigger.options["at"], trigger.options.get("timezone")) <= now:
            return  # once, in the past: only catch-up may still run it
        # one APScheduler job per distinct schedule: 200 workflows due at 08:00 are one job, not 200 (APScheduler
        # dispatches jobs one by one, about 0.3 ms each on this machine)
        group = key.split("|", 1)[1] + (f"|{seen.isoformat()}" if "every" in trigger.options else "")
        if group not in self._groups:
            self._groups[group] = {}
            self._scheduler.add_job(
                self._on_schedule,
                make_trigger(trigger, start=seen),
                args=[group],
                id=group,
                replace_existing=True,
            )
        self._groups[group][key] = (entry.path, trigger)
        entry.jobs.append((group, key))

    def _disarm_schedules(self, entry: Entry) -> None:
        for group, key in entry.jobs:
            members = self._groups.get(group, {})
            members.pop(key, None)
            if not members:
                self._groups.pop(group, None)
                try:
                    self._scheduler.remove_job(group)
                except Exception:  # already gone (a once-only job that fired)
                    pass

    def _on_schedule(self, group: str) -> None:
        """An APScheduler fire (APScheduler's thread): handed over to the fire thread (engine.scheduling.fires)."""
        self._fires.put(group)

    def _start_fires(self, groups: list[str]) -> None:
        """Fires handed over together (maybe late, maybe coalescing several), in their order: run per
        misfire_grace and catch_up; their runs are sent once their history rows are committed together."""
        runs: list[tuple[Path, list[dict[str, Any]]]] = []
        with self._lock:
            for group in groups:
                for key, (path, trigger) in list(self._groups.get(group, {}).items()):
                    entry = self._entries.get(path)
                    if entry is not None and entry.workflow is not None:
                        runs.append((path, self._run_missed(entry, trigger, key, "it was late")))
        with self._runner.together():
            for path, datas in runs:
                self._fire_all(path, datas)

    def _catch_up(self, entry: Entry, reason: str, until: datetime | None = None) -> None:
        if entry.workflow is None or self.paused or not self._state.enabled(entry.path):
            return
        runs: list[list[dict[str, Any]]] = []
        with self._lock:
            for trigger in entry.workflow.triggers:
                if trigger.kind == "schedule":
                    runs.append(self._run_missed(entry, trigger, trigger_key(entry.path, trigger), reason, until))
        for datas in runs:
            self._fire_all(entry.path, datas)

    def _run_missed(
        self, entry: Entry, trigger: Trigger, key: str, reason: str, until: datetime | None = None
    ) -> list[dict[str, Any]]:
        """The runs owed by one schedule now (marked as handled at once, so no other path runs them again);
        fires after ``until`` are marked as handled without a run."""
        assert entry.workflow is not None
        now = self.clock.now()
        decision = decide(trigger, entry.workflow.policy, self._state.seen(key) or now, now, until)
        handled = decision.dropped or decision.due
        if not handled:
            return []  # already handled (a catch-up ran it)
        self._state.set_seen(key, handled[-1])
        data = {"kind": "schedule", **trigger.options}
        if decision.missed:
            due, mode, n = decision.due, decision.mode, len(decision.run)
            how = "one after the other" if n > 1 else "the newest" if n == 1 and len(due) > 1 else ""
            how = "the newest, still within misfire_grace" if n == 1 and mode == "none" else how
            log.warning(
                "%s: %d fire(s) missed since %s because %s; running %d%s (catch_up: %s)",
                entry.path.name, len(due), due[0].isoformat(timespec="seconds"), reason, n,
                f", {how}" if how else "", mode,
            )  # fmt: skip
            self._emit("caught_up", entry.path, f"{len(due)} missed, {n} run ({mode})")
            if len(due) > n:
                since = due[0].isoformat(timespec="seconds")
                self._skipped(entry.path, {**data, "scheduled": since}, not_run_reason(mode, reason), len(due) - n)
        if decision.dropped:
            log.info(
                "%s: %d fire(s) since %s not run: the file did not validate (or was not in the workspace) then, "
                "and fires missed meanwhile are not caught up",
                entry.path.name, len(decision.dropped), decision.dropped[0].isoformat(timespec="seconds"),
            )  # fmt: skip
            since = decision.dropped[0].isoformat(timespec="seconds")
            why = "the file did not validate (or was not in the workspace) when it was due"
            self._skipped(entry.path, {**data, "scheduled": since}, why, len(decision.dropped))
        return decision.run

    def check_sleep(self) -> float:
        """Compare wall and monotonic clocks now (also done every 2 s); after a sleep, run what was missed."""
        return self._sleep.check()

    def _woke(self, gap: float) -> None:
        log.warning("the wall clock jumped %.0f s ahead of the monotonic clock (sleep?); checking schedules", gap)
        with self._lock:
            entries = list(self._entries.values())
        for entry in entries:
            self._catch_up(entry, f"the computer slept for about {gap:.0f} s")
        if self._scheduler.running:
            self._scheduler.wakeup()

    def _record_forgiven(self, path: Path, trigger: Trigger, key: str, now: datetime, why: str) -> None:
        """Record the fires of one schedule after its saved time up to ``now`` as not run (one row, with a count)."""
        seen = self._state.seen(key)
        missed = fires_between(trigger, seen, now) if seen is not None else []
        if missed:
            data = {"kind": "schedule", **trigger.options, "scheduled": missed[0].isoformat(timespec="seconds")}
            self._skipped(path, data, why, len(missed))

    def _forgive(self, trigger: Trigger, key: str, now: datetime, path: Path | None = None) -> None:
        """Count the fires of one schedule up to ``now`` as handled without running them (recorded as not run when
        ``path`` is given: the fires that fell while everything was paused).

        An ``every`` moves to its last fire before ``now``, not to ``now``: fires are counted from that time, so
        moving it off the rhythm would make the next APScheduler fire look too early and drop it.
        """
        if path is not None:
            self._record_forgiven(path, trigger, key, now, "paused — triggers were paused")
        seen = self._state.seen(key)
        if "every" in trigger.options and seen is not None:
            last = fires_between(trigger, seen, now, limit=1)
            if last:
                self._state.set_seen(key, last[0])
            return
        self._state.set_seen(key, now)

    def next_fire_times(self, path: Path, count: int = 5) -> list[datetime]:
        """The next ``count`` schedule fires of ``path`` after now, soonest first (empty when it has none)."""
        path = Path(path).resolve()
        entry = self._entries.get(path)
        if entry is None or entry.workflow is None:
            return []
        now = self.clock.now()
        times: list[datetime] = []
        for trigger in entry.workflow.triggers:
            if trigger.kind == "schedule":
                times += next_fires(trigger, self._state.seen(trigger_key(path, trigger)), now, count)
        return sorted(times)[:count]
