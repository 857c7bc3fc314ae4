"""``flowdeck worker``: takes runs from the broker and runs each in this machine's worker-process pool.

A run is claimed first (``SET NX`` of its claim key): a message Dramatiq hands out again (its worker died before
acknowledging it) is run only if nobody claimed it; one that was claimed is dropped, and the daemon records the
run as interrupted when the claiming worker's heartbeat stops (it re-sends it only under ``policy.retry_lost``).
Secrets are read here, from this machine's environment, secrets folder or keyring; none travel.
"""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from engine.distributed import broker as b
from engine.distributed import cancel, routing
from engine.distributed import message as m
from engine.distributed.events import Publisher
from engine.distributed.store import RedisStateDB
from engine.runtime import Engine
from engine.runtime import events as ev
from engine.runtime.outcome import CANCELLED, FAILED

log = logging.getLogger("flowdeck.distributed")
CLAIM_TTL = 7 * 86400  # s a claim is kept: far longer than Dramatiq keeps a message
POLL_MS = 50  # ms between looks for a message when idle or busy: 20 ms doubled the idle CPU (benchmarks/README.md)


class WorkerEngine(Engine):
    """The engine of a worker: process runs, saved values in Redis known by the daemon's files (not the copies
    written here for the run)."""

    def state_for(self, plan: Any) -> Any:
        key = str(plan.path.resolve()) if plan.path else plan.name
        return self.state_db.store(key, plan.name)  # type: ignore[union-attr]


class Node:
    """One ``flowdeck worker`` process; ``start`` connects and takes runs, ``stop`` lets runs finish first."""

    def __init__(
        self, settings: b.Settings, *, tags: list[str], workers: int, name: str | None = None, host: Any = None
    ) -> None:
        """``host``: the desktop host of the runs' blocks (the app's, when the app is the worker; None headless)."""
        self.settings, self.tags, self.workers = settings, sorted(set(tags)), max(1, workers)
        self.host = host
        self.answering = True  # the broker answered the last heartbeat (what the app shows)
        self.client = b.redis_client(settings.url)
        self.name = name or ""
        self._wanted = name
        self._runs: dict[str, Any] = {}  # run id → its handle on this worker
        self._by: dict[str, str] = {}  # run id → who cancelled it, until its end is published
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.engine: WorkerEngine | None = None
        self._worker: Any = None

    # lifecycle --------------------------------------------------------------------------------------------
    def start(self) -> None:
        import dramatiq

        b.reach(self.client, self.settings.url)
        self.name = self._take_name(self._wanted)
        state = RedisStateDB(self.client)
        self.engine = WorkerEngine(workers=self.workers, isolation="process", state=state, host=self.host)  # type: ignore[arg-type]
        self.publisher = Publisher(self.client)
        self.engine.bus.subscribe_batch(self._publish)
        self.engine.warm()
        self._thread(self._heartbeat, "flowdeck-heartbeat")
        self._thread(self._cancels, "flowdeck-cancels")
        broker = b.dramatiq_broker(self.settings)
        dramatiq.set_broker(broker)
        queues = b.queues_of(self.tags)
        actor = dramatiq.actor(self._take, actor_name=b.ACTOR, queue_name=b.QUEUE, broker=broker,
                               max_retries=0)  # fmt: skip
        for queue in queues:
            broker.declare_queue(queue)
        self._actor = actor
        self._worker = dramatiq.Worker(broker, queues=queues, worker_threads=self.workers, worker_timeout=POLL_MS)
        # one message per thread: a run waiting in a busy worker's prefetch would wait while another worker idles
        self._worker.queue_prefetch = self.workers
        self._worker.start()
        log.info("%s takes runs from %s (queues: %s)", self.name, b.safe_url(self.settings.url),
                 ", ".join(sorted(queues)))  # fmt: skip

    def _thread(self, target: Any, name: str) -> None:
        threading.Thread(target=target, name=name, daemon=True).start()

    def _take_name(self, wanted: str | None) -> str:
        """``wanted``, or ``worker@HOST`` (``worker-2@HOST``… when that one is connected); held by a heartbeat key."""
        host = socket.gethostname().split(".")[0] or "host"
        ttl = int(self.settings.heartbeat_timeout * 1000)
        for n in range(1, 1000):
            name = wanted or (f"worker@{host}" if n == 1 else f"worker-{n}@{host}")
            if self.client.set(b.worker_key(name), routing.heartbeat(self.tags), nx=True, px=ttl):
                routing.joined(self.client, name)
                return name
            if wanted:
                raise b.BrokerError(
                    f"a worker named {wanted} is already connected to the broker; choose another --name"
                )
        raise b.BrokerError("too many workers on this host")

    def _heartbeat(self) -> None:
        import redis

        ttl = int(self.settings.heartbeat_timeout * 1000)
        while not self._stop.wait(self.settings.heartbeat_every):
            try:
                self.client.set(b.worker_key(self.name), routing.heartbeat(self.tags), px=ttl)
                routing.joined(self.client, self.name)  # again each time: a Redis that lost the set learns it back
                self.answering = True
            except redis.RedisError as exc:
                if self.answering:
                    log.warning("heartbeat: the broker does not answer (%s)", exc)
                self.answering = False

    def _cancels(self) -> None:
        """Cancels from the daemon reach the run here at once (pub/sub); resubscribed when the broker comes back."""
        import redis

        while not self._stop.is_set():
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(b.CANCELS)
                while not self._stop.is_set():
                    item = pubsub.get_message(timeout=0.5)
                    if item and item.get("type") == "message":
                        self._cancel(*cancel.parse(str(item["data"])))
            except redis.RedisError:
                time.sleep(0.5)

    def _cancel(self, run_id: str, by: str) -> None:
        with self._lock:
            handle = self._runs.get(run_id)
            if handle is not None:
                self._by[run_id] = by
        if handle is not None:
            log.info("run %s: %s", run_id, cancel.message(by))
            handle.cancel()

    def _publish(self, events: list[ev.Event]) -> None:
        """The runs' events to the stream; the end of a cancelled run says who cancelled it."""
        for event in events:
            if event.kind != ev.RUN_FINISHED:
                continue
            with self._lock:
                by = self._by.pop(event.run_id, None)
            if by is not None and event.data.get("status") == CANCELLED:
                step = (event.data.get("error") or {}).get("step")
                event.data = {**event.data, "error": {"message": cancel.message(by), "kind": "cancelled", "step": step}}
        self.publisher(events)

    def stop(self, grace: float = 10.0) -> None:
        """Take no more runs, let running ones finish within ``grace``, then cancel them."""
        if self._worker is not None:
            self._worker.stop(timeout=int(max(grace, 0.1) * 1000))  # waits for the actor calls (the runs)
        if self.engine is not None:
            self.engine.shutdown(0.0)  # the grace was spent above: what still runs is cancelled now
        self._stop.set()
        try:
            self.client.delete(b.worker_key(self.name))
        except Exception:  # the broker is away: the key expires by itself
            pass

    # a run ------------------------------------------------------------------------------------------------
    def _take(self, payload: str) -> None:
        """The actor: one message, one run, to its end (the message is acknowledged when this returns)."""
        import json

        try:
            bundle = m.check(json.loads(payload), self.name)
        except (m.Refused, ValueError) as exc:
            self._refuse(payload, str(exc))
            return
        if self._stale(bundle):
            return
        if not self._patiently(lambda: self.client.set(b.claim_key(bundle.run_id), self.name, nx=True, ex=CLAIM_TTL)):
            log.info("run %s was taken before (by %s); not run again", bundle.run_id,
                     self.client.get(b.claim_key(bundle.run_id)))  # fmt: skip
            return
        self._execute(bundle)

    def _stale(self, bundle: m.Bundle) -> bool:
        """True for a run sent with an older fencing token after a newer leader took over (its sender no longer
        led when it sent it; the leader of that moment owns that fire)."""
        from engine.distributed.lease import current

        token, since = self._patiently(lambda: current(self.client))
        if bundle.fence and bundle.fence < token and bundle.sent > since:
            log.warning("run %s of %s was sent by a daemon that no longer led (token %d < %d); not run",
                        bundle.run_id, bundle.workflow, bundle.fence, token)  # fmt: skip
            return True
        return False

    def _patiently(self, call: Any, wait: float = 300.0) -> Any:
        """``call()``, tried again while the broker does not answer (it restarts), for up to ``wait`` seconds."""
        import redis

        deadline = time.monotonic() + wait
        while True:
            try:
                return call()
            except redis.RedisError:
                if time.monotonic() > deadline or self._stop.is_set():
                    raise
                time.sleep(0.5)

    def _refuse(self, payload: str, why: str) -> None:
        import json

        log.error("a run was refused: %s", why)
        try:
            raw = json.loads(payload)
            run_id, workflow = str(raw["run_id"]), str(raw.get("workflow") or "?")
        except Exception:
            return  # not even its id can be read: nothing to record it under
        if self.client.set(b.claim_key(run_id), self.name, nx=True, ex=CLAIM_TTL):
            error = {"message": why, "kind": "worker", "step": None}
            self.publisher.ended(run_id, workflow, FAILED, error, self._begun(raw.get("source"), raw.get("trigger")))

    def _begun(self, source: Any, trigger: Any) -> dict:
        return {"trigger": trigger or {}, "source": f"{source or 'schedule'} on {self.name}", "path": ""}

    def _execute(self, bundle: m.Bundle) -> None:
        from engine.io.load import read_text
        from engine.io.problems import errors

        assert self.engine is not None
        by = self._patiently(lambda: self.client.get(b.cancel_key(bundle.run_id)))
        if by is not None:  # cancelled while it waited in the queue: not run
            error = {"message": cancel.message(cancel.by_of(by)), "kind": "cancelled", "step": None}
            self.publisher.ended(
                bundle.run_id, bundle.workflow, CANCELLED, error, self._begun(bundle.source, bundle.trigger)
            )
            cancel.stopped(self.client, bundle.run_id, self.name)
            return
        folder = Path(tempfile.mkdtemp(prefix="flowdeck-run-"))
        aliases: dict[Path, str] = {}
        try:
            aliases = m.write(bundle, folder)
            self.engine.state_db.alias(aliases, bundle.labels)  # type: ignore[union-attr]
            path = m.main_path(bundle, folder)
            workflow, problems = read_text(bundle.files[bundle.main], str(path))
            if workflow is None or errors(problems):
                lines = "; ".join(p.message for p in errors(problems)[:5]) or "it cannot be read"
                error = {"message": f"the workflow does not validate on {self.name}: {lines}", "kind": "worker",
                         "step": None}  # fmt: skip
                self.publisher.ended(
                    bundle.run_id, bundle.workflow, FAILED, error, self._begun(bundle.source, bundle.trigger)
                )
                return
            handle = self.engine.submit(workflow, trigger=bundle.trigger, variables=bundle.variables,
                                        source=f"{bundle.source} on {self.name}", run_id=bundle.run_id)  # fmt: skip
            with self._lock:
                self._runs[bundle.run_id] = handle
            by = self.client.get(b.cancel_key(bundle.run_id))
            if by is not None:  # cancelled while it was being written
                self._cancel(bundle.run_id, cancel.by_of(by))
            if handle.wait().status == CANCELLED:
                self._patiently(lambda: cancel.stopped(self.client, bundle.run_id, self.name), wait=30.0)
        finally:
            with self._lock:
                self._runs.pop(bundle.run_id, None)
            self.engine.state_db.forget(aliases)  # type: ignore[union-attr]
            shutil.rmtree(folder, ignore_errors=True)
