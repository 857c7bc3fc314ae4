"""The daemon's side: an Engine whose runs go to the broker instead of this machine's processes.

``submit`` sends the run as data (engine.distributed.message) to the queue of the worker tags it needs and returns
a handle at once; the runs' events come back through engine.distributed.intake (the reader thread) and lost
workers are noticed by engine.distributed.lost (the watcher thread), both mixins of BrokerEngine.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.distributed import broker as b
from engine.distributed import message as m
from engine.distributed import routing
from engine.distributed.bundle import Unsendable
from engine.distributed.fires import fire_key
from engine.distributed.intake import EventsIn
from engine.distributed.lost import LostRuns
from engine.runtime import events as ev
from engine.runtime.engine import Engine, RunHandle
from engine.runtime.executor import new_run_id
from engine.runtime.outcome import FAILED, RunResult

log = logging.getLogger("flowdeck.distributed")


@dataclass
class _Out:
    """A run waiting to be sent."""

    body: dict
    handle: RunHandle
    fire: str | None  # the key that makes a schedule's fire run once among the daemons (fire_key)
    held: float  # time.monotonic() it came
    standby: bool  # it came while this daemon did not lead


class BrokerRun:
    """A run sent to the broker; duck-types what the service and handles use of an executor.Run."""

    def __init__(self, engine: BrokerEngine, plan: Any, run_id: str, trigger: dict, variables: Any, source: str):
        self.engine, self.plan, self.run_id = engine, plan, run_id
        self.trigger, self.variables, self.source = trigger, variables, source
        self.worker: str | None = None  # who claimed it
        self.queued: float | None = None  # time.monotonic() it was put on the queue
        self.secret_values: frozenset[str] = frozenset()  # secrets stay on the worker (its events come redacted)
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        self.engine.send_cancel(self.run_id)

    def kill(self) -> None:
        self.cancel()


class BrokerEngine(EventsIn, LostRuns, Engine):
    """An Engine whose runs execute on ``flowdeck worker`` processes of the broker; see the module's docstring."""

    def __init__(
        self, settings: b.Settings, *, history: Any = None, root: Path | None = None, lead: bool = True
    ) -> None:
        super().__init__(workers=1, history=history, isolation="thread")
        self.settings = settings
        self.root = root  # the workspace: files are known relative to it, the same on every daemon
        self.client = b.redis_client(settings.url)
        self.fence = 0  # the leader's fencing token, sent with every run (engine.distributed.lease)
        self._consumer = f"daemon@{socket.gethostname().split('.')[0]} (pid {os.getpid()}, {uuid.uuid4().hex[:6]})"
        self._lead = lead  # take part in the leader election (False: component tests of one engine)
        self.lease: Any = None
        self._broker: Any = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._outbox: deque[_Out] = deque()  # runs fired while the broker was away, sent when it is back
        self._outbox_lock = threading.Lock()
        self._unsent = False
        self._reachable_since = time.monotonic()  # lost workers are judged only after a heartbeat timeout of this
        self._told: set[tuple[str, tuple[str, ...]]] = set()  # workflows whose runs wait for a worker with tags

    def connect(self) -> None:
        """Reach the broker (a BrokerError otherwise) and start reading events and watching workers."""
        import dramatiq

        b.reach(self.client, self.settings.url)
        self._broker = b.dramatiq_broker(self.settings)
        dramatiq.set_broker(self._broker)
        if self._lead:
            from engine.distributed.lease import Lease

            self.lease = Lease(self.client, self._consumer, self.settings.heartbeat_timeout, self._leading)
            if not self.lease.try_take():
                holder = self.leader_name()
                log.info("%s leads on this broker; this daemon waits and takes over when its lease expires", holder)
            self.lease.start()
        threads = ((self._read_events, "flowdeck-events-in"), (self._watch, "flowdeck-lost-runs"),
                   (self._drain, "flowdeck-outbox"))  # fmt: skip
        for target, name in threads:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    # the engine's interface -------------------------------------------------------------------------------
    def plan(self, workflow: Any) -> Any:
        """Compiled here too (the service needs the triggers and a plan checks the file); the run is compiled again
        on the worker from the text."""
        import dataclasses
        import pickle

        from engine.runtime.plan import Plan

        plan = super().plan(workflow)
        if plan.snapshot is None and not isinstance(workflow, Plan):
            plan = dataclasses.replace(plan, snapshot=pickle.dumps(workflow, protocol=pickle.HIGHEST_PROTOCOL))
        return plan

    def submit(self, workflow: Any, *, trigger: dict | None = None, variables: dict | None = None,
               source: str = "manual", run_id: str | None = None) -> RunHandle:  # fmt: skip
        if self._closed:
            raise RuntimeError("the engine is shut down")
        plan = self.plan(workflow)
        if self.history is not None:
            self.history.retain(plan.name, plan.history)
        run = BrokerRun(self, plan, run_id or new_run_id(), dict(trigger or {}), variables, source)
        handle = RunHandle(run, Future())  # type: ignore[arg-type]
        try:
            body = m.build(plan, run_id=run.run_id, trigger=run.trigger, variables=variables, source=source,
                           fence=0, root=self.root)  # fmt: skip
        except Unsendable as exc:
            return self._not_sent(handle, str(exc))
        standby = self.lease is not None and not self.lease.holding()  # (a leader cut off from the broker waits)
        item = _Out(body, handle, fire_key(body, run.trigger), time.monotonic(), standby=standby)
        if item.standby and item.fire is None:
            return self._elsewhere(handle)
        if item.standby:  # held: sent when this daemon takes over, unless the leader sent that fire
            if run.trigger.get("kind") == "watch":
                log.info("%s: a watch trigger (%s) came to this daemon, which does not lead; held: sent if this "
                         "daemon takes over within %g s and the leader did not run it", plan.name,
                         run.trigger.get("path"), 3 * self.settings.heartbeat_timeout)  # fmt: skip
            handle.future.set_result(RunResult(run.run_id, plan.name, "skipped", message="held by a standby"))
        else:
            with self._lock:
                self._active[run.run_id] = handle
        with self._outbox_lock:
            waiting = bool(self._outbox) or item.standby
            if waiting:  # after the ones waiting, in order
                self._outbox.append(item)
        if not waiting and not self._deliver(item):
            with self._outbox_lock:
                self._outbox.appendleft(item)
        return handle

    def _elsewhere(self, handle: RunHandle) -> RunHandle:
        """A trigger this standby does not run (a webhook, a startup): said in the log; a webhook is answered 503
        with Retry-After and the leader's name (``handle.elsewhere``, read by engine.scheduling.webhook)."""
        run: Any = handle.run
        kind = run.trigger.get("kind", "?")
        holder = self.leader_name()
        log.info("%s: a %s trigger came to this daemon, which does not lead (%s leads); it is not run here",
                 run.plan.name, kind, holder)  # fmt: skip
        if kind == "webhook":
            retry = max(1, int(self.settings.heartbeat_timeout + 0.999))
            answer = {"error": f"not run: this daemon does not lead on its broker; {holder} leads: send the webhook "
                      "there (this one takes over if the leader's lease expires)", "leader": holder,
                      "status": "standby"}  # fmt: skip
            handle.elsewhere = {"answer": answer, "retry_after": retry}  # type: ignore[attr-defined]
        handle.future.set_result(RunResult(run.run_id, run.plan.name, "skipped", message="not the leader"))
        return handle

    def leader_name(self) -> str:
        """Who leads the broker's daemons now (``daemon@HOST (pid N, …)``), or 'another daemon'."""
        import redis

        try:
            return (self.lease.leader().split("|", 1)[-1] if self.lease else "") or "another daemon"
        except redis.RedisError:
            return "another daemon"

    def _leads(self) -> bool:
        return self.lease is None or self.lease.held()

    def _deliver(self, item: _Out) -> bool:
        """Send one run (True), or False when it must wait (the broker is away, this daemon does not lead now).
        A fire the other daemon already sent, or one held too long as a standby, is dropped (True)."""
        import redis
        from dramatiq import Message, errors

        unreachable = getattr(errors, "BrokerConnectionError", None) or errors.ConnectionError  # renamed in 2.x

        from engine.distributed.lease import server_time

        if not self._leads():
            return False
        body = item.body
        try:
            if item.standby and time.monotonic() - item.held > 3 * self.settings.heartbeat_timeout:
                if body["trigger"].get("kind") == "watch":
                    log.info("%s: the held watch trigger (%s) is dropped: it came %.0f s before this daemon led "
                             "(the leader of that time had it)", body["workflow"], body["trigger"].get("path"),
                             time.monotonic() - item.held)  # fmt: skip
                return True  # fired long before this daemon led: the leader of that time owned it
            if item.fire and not self._claim_fire(item.fire, body["run_id"]):
                return True  # the other daemon sent this fire (before a hand-over)
            body["fence"], body["sent"] = self.fence, server_time(self.client)
            queue = b.queue_for(body["needs"])
            self._broker.declare_queue(queue)
            self._broker.enqueue(Message(queue_name=queue, actor_name=b.ACTOR, args=(m.encode(body),), kwargs={},
                                         options={}))  # fmt: skip
        except (redis.RedisError, unreachable) as exc:
            if not self._unsent:
                log.warning("the broker does not answer (%s); runs wait here and are sent when it is back", exc)
            self._unsent = True
            return False
        if item.standby:
            with self._lock:
                self._active[body["run_id"]] = item.handle  # tracked from now (its handle already ended here)
        item.handle.run.queued = time.monotonic()
        if body["needs"]:
            self._tell_if_nobody(body)
        return True

    def _tell_if_nobody(self, body: dict) -> None:
        """One line in the log when no connected worker has the tags the run needs (it waits in the queue)."""
        import redis

        try:
            nobody = not routing.able(self.client, body["needs"])
        except redis.RedisError:
            return
        key = (body["workflow"], tuple(body["needs"]))
        if nobody and key not in self._told:
            log.warning("%s: %s", body["workflow"], routing.why_waiting(body))
        self._told.discard(key) if not nobody else self._told.add(key)

    def _not_sent(self, handle: RunHandle, why: str) -> RunHandle:
        """A run that cannot go to a worker: recorded as failed here, with ``why``, as one line."""
        run: Any = handle.run
        log.error("%s: not sent to a worker: %s", run.plan.name, why)
        with self._lock:
            self._active[run.run_id] = handle
        self._ended_here(handle, FAILED, why, "worker", begun=True)
        return handle

    def _ended_here(self, handle: RunHandle, status: str, why: str, kind: str, *, begun: bool) -> None:
        """Record the end of a run that the daemon ends itself (not sent, never taken, worker lost); ``begun``: also
        its start, for a run no worker began."""
        run: Any = handle.run
        if begun:
            started = {"trigger": run.trigger, "source": run.source, "path": str(run.plan.path or "")}
            self.bus.emit(ev.Event(ev.RUN_STARTED, handle.run_id, handle.workflow, None, started))
        error = {"message": why, "kind": kind, "step": None}
        data = {"status": status, "error": error, "duration": 0.0, "outputs": {}, "message": why}
        self._arrived(ev.Event(ev.RUN_FINISHED, handle.run_id, handle.workflow, None, data))

    def _claim_fire(self, key: str, run_id: str) -> bool:
        """True when this run may send the fire: nobody had, or this run claimed it on an attempt that failed."""
        return bool(self.client.set(key, run_id, nx=True, ex=86400)) or self.client.get(key) == run_id

    def _drain(self) -> None:
        """Send the runs that waited (the broker was away, or they came while this daemon did not lead), oldest
        first."""
        while not self._stopping.wait(0.2):
            with self._outbox_lock:
                item = self._outbox[0] if self._outbox else None
            if item is None or not self._leads():
                continue
            if self._deliver(item):
                with self._outbox_lock:
                    self._outbox.popleft()
                    left = len(self._outbox)
                if not left and self._unsent:
                    log.info("the broker answers again; every waiting run was sent")
                    self._unsent = False
            else:
                self._stopping.wait(0.5)

    def send_cancel(self, run_id: str) -> None:
        from engine.distributed import cancel

        cancel.send(self.client, run_id, f"the daemon {self._consumer.split(' (')[0]}")

    def _leading(self, leads: bool) -> None:
        if leads:
            self.fence = self.lease.token

    def warm(self, runs: int = 1) -> None:
        """Nothing to warm here: the workers keep their own processes ready."""

    def shutdown(self, grace: float = 10.0) -> list[RunResult]:
        """Stop sending and reading. Runs on workers go on: their events wait in the stream for the next daemon."""
        self._closed = True
        deadline = time.monotonic() + min(grace, 2.0)
        while self.active() and time.monotonic() < deadline:  # short runs that are ending are recorded now
            time.sleep(0.05)
        self._stopping.set()
        if self.lease is not None:
            self.lease.stop()
        for thread in self._threads:
            thread.join(2.0)
        self.bus.close()
        if self.history is not None:
            self.history.close()
        return []

    def path_of(self, run_id: str) -> Path | None:
        handle = self.get(run_id)
        return handle.run.plan.path if handle is not None else None
