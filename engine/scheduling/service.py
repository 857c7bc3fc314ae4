"""The scheduling service: loads a workspace of workflow files, arms their triggers, re-arms on file changes.

YAML is the source of truth: jobs are rebuilt from the files at start; only enable/pause flags and last-fire
times are kept in a small JSON state file (written atomically).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from engine.io import atomic_write, read_file
from engine.model.durations import parse_duration
from engine.model.workflow import Trigger, Workflow
from engine.runtime import Engine
from engine.scheduling.describe import describe_trigger

log = logging.getLogger("flowdeck.scheduling")
SUFFIXES = (".yaml", ".yml", ".flow")
Clock = Callable[[], datetime]


@dataclass
class ServiceEvent:
    kind: str  # workflow_added/changed/removed/invalid, armed, disarmed, paused, resumed, error
    path: Path | None = None
    message: str = ""


@dataclass
class WorkflowInfo:
    path: Path
    name: str
    enabled: bool
    triggers: list[str]
    next_run: datetime | None
    problems: list[str]
    valid: bool


@dataclass
class _Entry:
    path: Path
    workflow: Workflow | None
    problems: list[str]
    mtime: float
    jobs: list[str] = field(default_factory=list)
    running: int = 0


def make_trigger(trigger: Trigger) -> Any:
    """The APScheduler trigger for a ``schedule`` trigger (cron is 5-field, local time unless ``timezone``)."""
    o = trigger.options
    tz = o.get("timezone")
    if "cron" in o:
        return CronTrigger.from_crontab(str(o["cron"]), timezone=tz)
    if "every" in o:
        return IntervalTrigger(seconds=parse_duration(o["every"]), timezone=tz)
    return DateTrigger(run_date=str(o["at"]), timezone=tz)


def _is_workflow(path: Path) -> bool:
    return path.suffix in SUFFIXES and not path.name.startswith(".")


class Service:
    """Keeps every workflow in ``workspace`` armed; see docs/triggers.md."""

    def __init__(
        self,
        workspace: Path,
        *,
        engine: Engine | None = None,
        state_dir: Path | None = None,
        webhook_port: int | None = 8765,
        clock: Clock | None = None,
        workers: int = 4,
    ) -> None:
        self.workspace = Path(workspace)
        self._engine = engine or Engine(workers=workers)
        self._state_dir = state_dir or _default_state_dir()
        self.webhook_port = webhook_port
        self._clock = clock or (lambda: datetime.now().astimezone())
        self._lock = threading.RLock()
        self._entries: dict[Path, _Entry] = {}
        self._listeners: list[Callable[[ServiceEvent], None]] = []
        self._scheduler = BackgroundScheduler(job_defaults={"coalesce": True, "max_instances": 1_000})
        self._observer: Any = None
        self._rescan_timer: threading.Timer | None = None
        self._state = self._load_state()

    # state ------------------------------------------------------------------------------------------------
    @property
    def _state_file(self) -> Path:
        return self._state_dir / "scheduler-state.json"

    def _load_state(self) -> dict[str, Any]:
        try:
            data = json.loads(self._state_file.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _save_state(self) -> None:
        self._state_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self._state_file, json.dumps(self._state, indent=1).encode())

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def paused(self) -> bool:
        return bool(self._state.get("paused", False))

    # lifecycle --------------------------------------------------------------------------------------------
    def start(self) -> None:
        self.workspace.mkdir(parents=True, exist_ok=True)
        self._scheduler.start(paused=self.paused)
        self.rescan()
        for entry in list(self._entries.values()):
            wf = entry.workflow
            if wf and self._enabled(entry.path) and not self.paused and any(t.kind == "startup" for t in wf.triggers):
                self._fire(entry.path, {"kind": "startup"})
        self._observer = Observer()
        self._observer.schedule(_Changes(self._schedule_rescan), str(self.workspace), recursive=False)
        self._observer.daemon = True
        self._observer.start()

    def stop(self, grace: float = 10.0) -> None:
        """Stop accepting triggers, let runs finish within ``grace`` seconds, cancel the rest."""
        if self._observer is not None:
            self._observer.stop()
        if self._rescan_timer:
            self._rescan_timer.cancel()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)  # wait=True would block on APScheduler's worker threads
        self._engine.shutdown(grace)

    def subscribe(self, listener: Callable[[ServiceEvent], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, kind: str, path: Path | None = None, message: str = "") -> None:
        for listener in list(self._listeners):
            try:
                listener(ServiceEvent(kind, path, message))
            except Exception:  # a listener must not stop the service
                log.exception("service listener failed")

    # workspace --------------------------------------------------------------------------------------------
    def _schedule_rescan(self) -> None:
        if self._rescan_timer:
            self._rescan_timer.cancel()
        self._rescan_timer = threading.Timer(0.3, self.rescan)
        self._rescan_timer.daemon = True
        self._rescan_timer.start()

    def rescan(self) -> None:
        """Load new/changed files, disarm removed or invalid ones."""
        with self._lock:
            seen = {p.resolve() for p in self.workspace.iterdir() if p.is_file() and _is_workflow(p)}
            for path in list(self._entries):
                if path not in seen:
                    self._disarm(path)
                    del self._entries[path]
                    self._emit("workflow_removed", path)
            for path in sorted(seen):
                mtime = path.stat().st_mtime
                old = self._entries.get(path)
                if old and old.mtime == mtime:
                    continue
                self._load(path, mtime, changed=old is not None)

    def _load(self, path: Path, mtime: float, *, changed: bool) -> None:
        workflow, problems = read_file(path)
        errors = [str(p) for p in problems if getattr(p, "severity", "error") == "error"]
        if workflow is not None and not errors:
            try:
                self._engine.plan(workflow)
            except Exception as exc:
                errors.append(f"{path.name}: {exc}")
        self._disarm(path)
        entry = _Entry(path, workflow if not errors else None, errors, mtime)
        self._entries[path] = entry
        if errors:
            log.error("%s does not validate; its triggers are disarmed:\n%s", path, "\n".join(errors))
            self._emit("workflow_invalid", path, "\n".join(errors))
            return
        self._emit("workflow_changed" if changed else "workflow_added", path)
        if self._enabled(path):
            self._arm(entry)

    def _arm(self, entry: _Entry) -> None:
        assert entry.workflow is not None
        for i, trigger in enumerate(entry.workflow.triggers):
            if trigger.kind != "schedule":
                continue
            job_id = f"{entry.path}#{i}"
            grace = parse_duration(entry.workflow.policy.get("misfire_grace", "5m"))
            self._scheduler.add_job(
                self._fire,
                make_trigger(trigger),
                args=[entry.path, {"kind": "schedule", **trigger.options}],
                id=job_id,
                misfire_grace_time=int(grace) or 1,
                replace_existing=True,
            )
            entry.jobs.append(job_id)
        if entry.jobs:
            self._emit("armed", entry.path)

    def _disarm(self, path: Path) -> None:
        entry = self._entries.get(path)
        if entry and entry.jobs:
            for job_id in entry.jobs:
                try:
                    self._scheduler.remove_job(job_id)
                except Exception:
                    pass
            entry.jobs.clear()
            self._emit("disarmed", path)

    # running ----------------------------------------------------------------------------------------------
    def _fire(self, path: Path, trigger: dict[str, Any]) -> None:
        with self._lock:
            entry = self._entries.get(path)
            if entry is None or entry.workflow is None:
                return
            overlap = entry.workflow.policy.get("overlap", "skip")
            if overlap == "skip" and entry.running:
                log.info("%s is still running; this fire is skipped (policy overlap: skip)", path.name)
                return
            entry.running += 1
            self._state.setdefault("last_fire", {})[str(path)] = self._clock().isoformat()
            self._save_state()
        try:
            handle = self._engine.submit(entry.workflow, trigger=trigger, source=trigger.get("kind", "schedule"))
        except Exception as exc:
            with self._lock:
                entry.running -= 1
            self._emit("error", path, str(exc))
            return
        threading.Thread(target=self._finished, args=(entry, handle), daemon=True).start()

    def _finished(self, entry: _Entry, handle: Any) -> None:
        try:
            handle.wait()
        finally:
            with self._lock:
                entry.running -= 1

    def run_now(self, path: Path, variables: dict | None = None) -> Any:
        path = Path(path).resolve()
        with self._lock:
            entry = self._entries.get(path)
            if entry is None:
                self._load(path, path.stat().st_mtime, changed=False)
                entry = self._entries[path]
            if entry.workflow is None:
                raise ValueError(f"{path.name} does not validate: " + "; ".join(entry.problems))
        return self._engine.submit(entry.workflow, trigger={"kind": "manual"}, variables=variables, source="manual")

    # queries and switches ---------------------------------------------------------------------------------
    def _enabled(self, path: Path) -> bool:
        return str(path) not in self._state.get("disabled", [])

    def set_enabled(self, path: Path, enabled: bool) -> None:
        path = Path(path).resolve()
        with self._lock:
            disabled = set(self._state.get("disabled", []))
            disabled.discard(str(path)) if enabled else disabled.add(str(path))
            self._state["disabled"] = sorted(disabled)
            self._save_state()
            entry = self._entries.get(path)
            self._disarm(path)
            if enabled and entry and entry.workflow:
                self._arm(entry)

    def pause_all(self) -> None:
        self._state["paused"] = True
        self._save_state()
        self._scheduler.pause()
        self._emit("paused")

    def resume_all(self) -> None:
        self._state["paused"] = False
        self._save_state()
        self._scheduler.resume()
        self._emit("resumed")

    def next_fire_times(self, path: Path, count: int = 5) -> list[datetime]:
        path = Path(path).resolve()
        entry = self._entries.get(path)
        if entry is None or entry.workflow is None:
            return []
        now = self._clock()
        times: list[datetime] = []
        for trigger in entry.workflow.triggers:
            if trigger.kind != "schedule":
                continue
            aps, prev, t = make_trigger(trigger), None, now
            for _ in range(count):
                nxt = aps.get_next_fire_time(prev, t)
                if nxt is None:
                    break
                times.append(nxt)
                prev, t = nxt, nxt + timedelta(microseconds=1)
        return sorted(times)[:count]

    def webhook_url(self, path: Path) -> str | None:
        return None  # webhooks are not served yet

    def workflows(self) -> list[WorkflowInfo]:
        with self._lock:
            entries = list(self._entries.values())
        out = []
        for e in entries:
            nxt = self.next_fire_times(e.path, 1) if e.workflow and self._enabled(e.path) else []
            out.append(
                WorkflowInfo(
                    path=e.path,
                    name=e.workflow.name if e.workflow else e.path.stem,
                    enabled=self._enabled(e.path),
                    triggers=[describe_trigger(t) for t in e.workflow.triggers] if e.workflow else [],
                    next_run=nxt[0] if nxt else None,
                    problems=e.problems,
                    valid=e.workflow is not None,
                )
            )
        return out


class _Changes(FileSystemEventHandler):
    def __init__(self, callback: Callable[[], None]) -> None:
        self._callback = callback

    def on_any_event(self, event: Any) -> None:
        self._callback()


def _default_state_dir() -> Path:
    from platformdirs import user_state_path

    return user_state_path("flowdeck")
