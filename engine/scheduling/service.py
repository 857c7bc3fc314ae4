"""The scheduling service: loads a workspace of workflow files, arms their triggers, re-arms on file changes.

YAML is the source of truth: jobs are rebuilt from the files at start. Only enable/pause flags and, per
schedule, the time up to which its fires were handled are remembered (engine.scheduling.state); missed fires
(app closed, computer asleep) are run as the workflow's ``catch_up`` policy says (engine.scheduling.schedules).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from watchdog.observers import Observer

from engine.model.workflow import Trigger
from engine.runtime import Engine
from engine.scheduling.clock import ManualClock, SleepWatch, SystemClock
from engine.scheduling.describe import describe_trigger
from engine.scheduling.desktop_arm import KINDS as DESKTOP_KINDS
from engine.scheduling.desktop_arm import DesktopTriggers, NotArmed
from engine.scheduling.entries import Entry, ServiceEvent, WorkflowInfo, hook_name
from engine.scheduling.fires import FireThread
from engine.scheduling.folder import WorkspaceFolder
from engine.scheduling.hook_tokens import HookTokens
from engine.scheduling.jobs import make_trigger, new_scheduler, trigger_key
from engine.scheduling.loading import WORKSPACE_POLL, Ticker, folder_id, listing, read_entry
from engine.scheduling.lock import APP, Holder, WorkspaceBusy, WorkspaceLock, holder
from engine.scheduling.runs import QUEUED, Runner, RunRefused
from engine.scheduling.schedules import Schedules
from engine.scheduling.state import SchedulerState
from engine.scheduling.warmup import Warmup
from engine.scheduling.watch import Watches
from engine.scheduling.webhook import Hook, WebhookError, WebhookServer, methods_problem, resolve_hook

# make_trigger: the GUI shows next fire times with it
__all__ = ["QUEUED", "RunRefused", "Service", "ServiceEvent", "WorkflowInfo", "WorkspaceBusy", "make_trigger"]
log = logging.getLogger("flowdeck.scheduling")
# Python hands the GIL to a waiting thread only every switch interval (5 ms by default); a fire crosses three
# threads, and with runs keeping the interpreter busy each crossing waited that long per busy thread: 200 fires
# in one second were seconds late. 1 ms made them ~20× less late at no measurable cost to the runs' throughput
# (benchmarks/README.md, "Scheduler").
SWITCH_INTERVAL = 0.001


class Service(WorkspaceFolder, Schedules):
    """Keeps every workflow in ``workspace`` armed; see docs/triggers.md. Schedules are engine.scheduling.schedules."""

    def __init__(
        self,
        workspace: Path,
        *,
        engine: Engine | None = None,
        state_dir: Path | None = None,
        webhook_port: int | None = 8765,
        clock: SystemClock | ManualClock | None = None,
        workers: int = 4,
        who: str = APP,
    ) -> None:
        self.workspace = Path(workspace)
        self.who = who  # who arms the workspace: named to a second process that wants it (engine.scheduling.lock)
        self._engine = engine or Engine(workers=workers, isolation="process")
        self.webhook_port = webhook_port
        self.clock = clock or SystemClock()
        self._lock = threading.RLock()
        self._entries: dict[Path, Entry] = {}
        self._broken_since: dict[Path, datetime] = {}  # files that did not validate or were away, since when
        self._runner = Runner(
            self._engine, self._current, lambda p, kind, msg: self._emit(kind, p, msg), on_skip=self._skipped
        )
        self._names: dict[Path, str] = {}  # the last valid name of each file (a skipped fire of a broken one)
        self._hooks: dict[str, tuple[Path, Trigger]] = {}
        self._groups: dict[str, dict[str, tuple[Path, Trigger]]] = {}  # APScheduler job id → its schedules
        self._prepared: set[str] = set()  # workflow files whose versions the warm-up kept (Schedules._warm_fires)
        self._listeners: list[Callable[[ServiceEvent], None]] = []
        self._fires = FireThread(self._start_fires)  # APScheduler's fires are started on this one thread
        self._scheduler = new_scheduler(self._fires.hold, self._fires.release)  # one pass's fires: one batch
        self._observer: Any = None
        self._watches: Watches | None = None
        self._webhooks: WebhookServer | None = None
        self._desktop = DesktopTriggers(self._fire, self._not_armed, armed_here=who == APP)  # the app arms them
        self._sleep = SleepWatch(self.clock, self._woke)
        self._warmup = Warmup(self._upcoming, self._warm_fires)
        self._rescan_timer: threading.Timer | None = None
        self._state_dir = Path(state_dir or _default_state_dir())
        self._state = SchedulerState(self._state_dir)
        self._workspace_lock = WorkspaceLock(self.workspace, self._state_dir)
        self._scan_lock = threading.Lock()  # one rescan at a time; self._lock is only taken to swap entries
        self._watch: Any = None  # the observer's watch of the workspace folder
        self._folder: tuple[int, int] | None = None  # the workspace folder's identity while it is there
        self._gone = False  # the workspace folder was removed: everything is disarmed until it comes back
        self._presence = Ticker(WORKSPACE_POLL, self._check_workspace, "flowdeck-workspace", log)
        self._tokens = HookTokens(self._state_dir)  # of hooks whose trigger names no token
        self._stopping = False
        self._started = False  # `flowdeck status` reads the workspace without starting (and without arming)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def paused(self) -> bool:
        return self._state.paused

    def run_by(self) -> Holder | None:
        """Who arms this workspace now (this process or another), or None when nobody does; reads only."""
        return run_by(self.workspace, self._state_dir)

    # lifecycle --------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Arm the workspace; WorkspaceBusy (one line, nothing started) when another process already runs it."""
        self._workspace_lock.acquire(self.who)
        try:
            self._start()
        except BaseException:
            self._workspace_lock.release()
            raise

    def _start(self) -> None:
        self._started = True
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)  # process-wide; the GUI thread gets the GIL sooner too
        self.workspace.mkdir(parents=True, exist_ok=True)
        self._folder = folder_id(self.workspace)
        self._engine.warm()  # a run process gets ready while the workflows are read
        self._observer = Observer()
        self._observer.daemon = True
        self._watches = Watches(self._observer, self._fire)
        self._start_webhooks()
        self._fires.start()
        self._scheduler.start(paused=self.paused)
        self.rescan()
        for entry in list(self._entries.values()):
            wf = entry.workflow
            if (
                wf
                and self._state.enabled(entry.path)
                and not self.paused
                and any(t.kind == "startup" for t in wf.triggers)
            ):
                self._fire(entry.path, {"kind": "startup"})
        self._watch_folder()
        self._observer.start()
        self._presence.start()
        self._sleep.start()
        self._warmup.start()

    def _start_webhooks(self) -> None:
        if self.webhook_port is None:
            return
        try:
            self._webhooks = WebhookServer(self.webhook_port, self._hook, self._fire, paused=lambda: self.paused)
        except WebhookError as exc:
            log.error("%s", exc)
            self._emit("error", None, str(exc))

    def stop(self, grace: float = 10.0) -> None:
        """Stop accepting triggers, let runs finish within ``grace`` seconds, cancel the rest."""
        self.stop_triggers()
        self._engine.shutdown(grace)

    def stop_triggers(self) -> None:
        """Accept no more triggers and give the workspace up (another service may arm it now); runs go on."""
        if self._stopping:
            return
        self._stopping = True
        self._presence.stop()
        self._sleep.stop()
        self._warmup.stop()
        for part in (self._webhooks, self._watches, self._observer, self._desktop):
            if part is not None:
                part.stop()
        if self._rescan_timer:
            self._rescan_timer.cancel()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)  # wait=True would block on APScheduler's worker threads
        self._fires.stop()  # fires handed over already are recorded as not run (_fireable: stopping)
        self._runner.clear_queues()
        self._state.close()
        self._workspace_lock.release()

    def subscribe(self, listener: Callable[[ServiceEvent], None]) -> Callable[[], None]:
        """``listener`` is called on the service's threads (scheduler, watcher, webhook): hand over, do not block."""
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
        """Load new/changed files, disarm removed or invalid ones. Files are read and compiled outside the
        service's lock (a huge file does not hold up the fires of the others); the lock is taken per swap."""
        with self._scan_lock:
            try:
                seen = listing(self.workspace)
            except OSError:
                self._workspace_gone()
                return
            with self._lock:
                for path in [p for p in self._entries if p not in seen]:
                    self._drop(path)
                old = {p: e.mtime for p, e in self._entries.items()}
            for path in sorted(seen):
                if old.get(path) != seen[path]:
                    self._install(read_entry(path, seen[path], self._engine.plan), changed=path in old)
        self._warmup.poke()

    def _drop(self, path: Path) -> None:
        """Forget a file that left the workspace (under self._lock); fires while it is away are not owed."""
        self._disarm(path)
        del self._entries[path]
        self._broken_since.setdefault(path, self.clock.now())
        if not self._gone:  # a whole folder gone is said once, in _workspace_gone
            log.info("%s left the workspace; its triggers are disarmed", path.name)
        self._emit("workflow_removed", path)

    def _install(self, entry: Entry, *, changed: bool) -> None:
        """Swap a freshly read ``entry`` in and arm it (or report its problems)."""
        path = entry.path
        with self._lock:
            if self._gone or self._stopping:
                return  # the workspace went away (or the service stops) while the file was read
            self._disarm(path)
            self._entries[path] = entry
            if entry.problems:
                self._broken_since.setdefault(path, self.clock.now())
                log.error("%s does not validate; its triggers are disarmed:\n%s", path, "\n".join(entry.problems))
                self._emit("workflow_invalid", path, "\n".join(entry.problems))
                return
            self._emit("workflow_changed" if changed else "workflow_added", path)
            broken_since = self._broken_since.pop(path, None)
            if self._state.enabled(path):
                self._arm(entry, broken_since=broken_since)

    def _arm(self, entry: Entry, *, fresh: bool = False, broken_since: datetime | None = None) -> None:
        """Arm every trigger of ``entry``; ``fresh`` forgets fires missed while it was off (nothing is owed), and
        fires after ``broken_since`` (the file did not validate or was away) are not owed either."""
        assert entry.workflow is not None
        if not self._started:
            return
        now = self.clock.now()
        for trigger in entry.workflow.triggers:
            if trigger.kind == "schedule":
                self._arm_schedule(entry, trigger, now, fresh)
            elif trigger.kind == "watch" and self._watches is not None:
                problem = self._watches.arm(entry.path, trigger.options)
                if problem:
                    log.error("%s", problem)
                    self._emit("error", entry.path, problem)
            elif trigger.kind == "webhook":
                self._arm_hook(entry, trigger)
            elif trigger.kind in DESKTOP_KINDS:
                self._desktop.arm(entry.path, trigger)
        self._catch_up(entry, "Flowdeck was not running", until=broken_since)
        self._emit("armed", entry.path)

    def _arm_hook(self, entry: Entry, trigger: Trigger) -> None:
        name = hook_name(entry.path, trigger)
        owner = self._hooks.get(name)
        if owner is not None and owner[0] != entry.path:
            problem = f"{entry.path.name}: /hook/{name} is already used by {owner[0].name}; this webhook is not armed"
            log.error("%s", problem)
            self._emit("error", entry.path, problem)
            return
        self._hooks[name] = (entry.path, trigger)
        entry.hooks.append(name)
        problem = methods_problem(trigger)
        if problem:
            log.error("%s: /hook/%s %s", entry.path.name, name, problem)
            self._emit("error", entry.path, f"/hook/{name} {problem}")
        if trigger.options.get("token") is None:
            self._tokens.token(name)  # made now, so the URL with its token can be given out before the first call

    def _not_armed(self, path: Path, problem: str) -> None:
        log.error("%s", problem)
        self._emit("not_armed", path, problem)

    def _disarm(self, path: Path) -> None:
        entry = self._entries.get(path)
        if entry is None:
            return
        self._disarm_schedules(entry)
        for name in entry.hooks:
            self._hooks.pop(name, None)
        if self._watches is not None:
            self._watches.disarm(path)
        desktop = self._desktop.disarm(path)  # watchers stopped, or triggers that could not be armed forgotten
        if entry.jobs or entry.hooks or desktop:
            self._emit("disarmed", path)
        entry.jobs.clear()
        entry.hooks.clear()

    # running ----------------------------------------------------------------------------------------------
    def _fire(self, path: Path, trigger: dict[str, Any]) -> Any:
        """Start a run per the overlap policy: the handle, QUEUED, or None when skipped or paused (recorded)."""
        entry = self._fireable(path, [trigger])
        if entry is None or entry.workflow is None:
            return None
        return self._runner.start(path, entry.workflow.policy, entry.plan or entry.workflow, trigger)

    def _fire_all(self, path: Path, triggers: list[dict[str, Any]]) -> None:
        """Fires of one schedule: a fire on time per the overlap policy; caught-up fires (even one) one after the
        other, waiting for a run that is going whatever the overlap policy (a suspend may fall during a run)."""
        if len(triggers) == 1 and not triggers[0].get("catch_up"):
            self._fire(path, triggers[0])
            return
        entry = self._fireable(path, triggers)
        if entry is not None and entry.workflow is not None:
            self._runner.start_all(path, entry.workflow.policy, entry.plan or entry.workflow, triggers)

    def _fireable(self, path: Path, triggers: list[dict[str, Any]]) -> Entry | None:
        """The entry of ``path`` when its fires may start now; else None, each fire recorded as not run."""
        with self._lock:
            entry = self._entries.get(path)
            workflow = entry.workflow if entry else None
        reason = None
        if self._stopping:
            reason = "the service was stopping"
        elif workflow is None:
            reason = "the file did not validate (or was not in the workspace) when it fired"
        elif self.paused:
            kinds = ", ".join(sorted({str(t.get("kind")) for t in triggers}))
            log.info("%s: a %s trigger came while everything is paused; not run", path.name, kinds)
            reason = "paused — triggers were paused"
        if reason is None and workflow is not None:
            self._names[path] = workflow.name  # a fire recorded after the file broke keeps the workflow's name
            return entry
        for trigger in triggers:
            self._skipped(path, trigger, reason)
        return None

    def _skipped(self, path: Path, trigger: dict[str, Any], reason: str, count: int = 1) -> None:
        """Record a fire that did not run, with its reason, in the run history (when there is one)."""
        history = self._engine.history
        if history is None or not hasattr(history, "record_skipped"):
            return
        with self._lock:
            entry = self._entries.get(path)
            name = entry.workflow.name if entry and entry.workflow else self._names.get(path, path.stem)
        try:
            history.record_skipped(name, path, trigger, reason, count=count)
        except Exception:  # the history must never stop a trigger
            log.exception("could not record a skipped fire of %s", path.name)

    def _current(self, path: Path) -> Any:
        with self._lock:
            entry = self._entries.get(path)
            return (entry.plan or entry.workflow) if entry else None

    def run_now(self, path: Path, variables: dict | None = None) -> Any:
        """A manual run (the Run button), under the workflow's overlap policy like any trigger; it also runs while
        triggers are paused. Returns the run's handle, or QUEUED (overlap: queue and a run is going). Raises
        RunRefused (overlap: skip and a run is going) or ValueError (the file does not validate); their messages
        are meant to be shown as they are."""
        path = Path(path).resolve()
        with self._lock:
            entry = self._entries.get(path)
        if entry is None:
            entry = read_entry(path, path.stat().st_mtime, self._engine.plan)
            self._install(entry, changed=False)
        with self._lock:
            if entry.workflow is None:
                raise ValueError(f"{path.name} does not validate: " + "; ".join(entry.problems))
        runnable = entry.plan or entry.workflow
        return self._runner.start(path, entry.workflow.policy, runnable, {"kind": "manual"}, variables, manual=True)

    def _hook(self, name: str) -> Hook | None:
        with self._lock:
            found = self._hooks.get(name)
            entry = self._entries.get(found[0]) if found else None
        if found is None:
            return None
        overlap = str(entry.workflow.policy.get("overlap", "skip")) if entry and entry.workflow else "skip"
        return resolve_hook(*found, lambda: self._tokens.token(name), overlap)

    # queries and switches ---------------------------------------------------------------------------------
    def set_enabled(self, path: Path, enabled: bool) -> None:
        path = Path(path).resolve()
        with self._lock:
            self._state.set_enabled(path, enabled)
            entry = self._entries.get(path)
            self._disarm(path)
            if enabled and entry and entry.workflow:
                self._arm(entry, fresh=True)

    def pause_all(self) -> None:
        self._state.set_paused(True)
        self._scheduler.pause()
        self._emit("paused")

    def resume_all(self) -> None:
        """Resume; fires that fell in the pause are not owed (pausing means "do not run")."""
        with self._lock:
            now = self.clock.now()
            for entry in self._entries.values():
                for trigger in entry.workflow.triggers if entry.workflow else []:
                    if trigger.kind == "schedule":
                        self._forgive(trigger, trigger_key(entry.path, trigger), now, entry.path)
            self._state.set_paused(False)
        self._scheduler.resume()
        self._warmup.poke()
        self._emit("resumed")

    def webhook_url(self, path: Path) -> str | None:
        """The URL that runs ``path`` (None when it has no webhook trigger or webhooks are not served); it ends
        with ``?token=...`` when the token is one Flowdeck made (a token from a secret is the person's to add)."""
        path = Path(path).resolve()
        with self._lock:
            hooks = [(n, t) for n, (p, t) in self._hooks.items() if p == path]
        if not hooks or self._webhooks is None:
            return None
        name, trigger = hooks[0]
        url = self._webhooks.url(name)
        return url if trigger.options.get("token") is not None else f"{url}?token={self._tokens.token(name)}"

    def not_armed(self) -> list[NotArmed]:
        """The desktop triggers the app could not arm, now (one line each, naming the file); a file's go when it is
        edited, removed or switched off, and come back if arming it again fails again."""
        return self._desktop.not_armed()

    def arm_again(self) -> None:
        """Try the desktop triggers that could not be armed once more (the program that held a hotkey has quit);
        those that fail again are listed again. Their files' other triggers are left as they are."""
        for path in sorted({n.path for n in self.not_armed()}):
            with self._lock:  # as set_enabled: a rescan swapping the file in meanwhile waits
                entry = self._entries.get(path)
                if entry is None or entry.workflow is None or self._stopping:
                    continue
                self._desktop.disarm(path)
                for trigger in entry.workflow.triggers:
                    if trigger.kind in DESKTOP_KINDS:
                        self._desktop.arm(path, trigger)
            self._emit("armed", path)

    def workflows(self) -> list[WorkflowInfo]:
        with self._lock:
            entries = list(self._entries.values())
        out = []
        for e in entries:
            enabled = self._state.enabled(e.path)
            nxt = self.next_fire_times(e.path, 1) if e.workflow and enabled else []
            out.append(
                WorkflowInfo(
                    path=e.path,
                    name=e.workflow.name if e.workflow else e.path.stem,
                    enabled=enabled,
                    triggers=[describe_trigger(t) for t in e.workflow.triggers] if e.workflow else [],
                    next_run=nxt[0] if nxt else None,
                    problems=e.problems,
                    valid=e.workflow is not None,
                    webhook_url=self.webhook_url(e.path),
                )
            )
        return out


def run_by(workspace: Path, state_dir: Path | None = None) -> Holder | None:
    """Who arms ``workspace`` now (a Holder), or None when nobody does; reads the lock, never takes it."""
    return holder(workspace, state_dir or _default_state_dir())


def _default_state_dir() -> Path:
    from platformdirs import user_state_path

    return user_state_path("flowdeck")
