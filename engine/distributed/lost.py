"""The daemon's side, lost workers: the claims of the runs in flight are checked every heartbeat; a run whose
worker stopped heart-beating is recorded as interrupted (worker lost) and, only under ``policy.retry_lost``, sent
again as a new run; one no worker took within its ``policy.timeout`` is failed with the reason it waited.

A mixin of engine.distributed.dispatch.BrokerEngine.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from engine.distributed import broker as b
from engine.distributed import message as m
from engine.distributed import routing
from engine.runtime.engine import RunHandle
from engine.runtime.outcome import FAILED

log = logging.getLogger("flowdeck.distributed")
INTERRUPTED = "interrupted"


class LostRuns:
    """Watching the workers of the runs in flight (only while this daemon leads)."""

    client: Any
    settings: Any
    _stopping: Any
    _reachable_since: float
    _closed: bool

    def _watch(self) -> None:
        import redis

        away = False
        while not self._stopping.wait(self.settings.heartbeat_every):
            try:
                self.client.ping()
                if not self._leads():
                    continue
                if away:  # workers had no way to send heartbeats meanwhile: give them a timeout's time again
                    self._reachable_since, away = time.monotonic(), False
                self._check_claims()
            except redis.RedisError:
                away = True  # the reader says so; checked again when the broker answers

    def _check_claims(self) -> None:
        from engine.distributed.dispatch import BrokerRun

        handles = [h for h in self.active() if isinstance(h.run, BrokerRun)]  # type: ignore[attr-defined]
        if not handles:
            return
        claims = self.client.mget([b.claim_key(h.run_id) for h in handles])
        workers = sorted({c for c in claims if c})
        alive = dict(
            zip(workers, self.client.mget([b.worker_key(w) for w in workers]) if workers else [], strict=False)
        )
        for handle, claim in zip(handles, claims, strict=False):
            run: Any = handle.run
            if claim and run.worker is None:
                run.worker = claim
                handle.started = True
            settled = time.monotonic() - self._reachable_since >= self.settings.heartbeat_timeout
            if claim and alive.get(claim) is None and settled:
                self._lost(handle, claim)
            elif not claim:
                self._waited(handle)

    def _waited(self, handle: RunHandle) -> None:
        """A run no worker took within its policy.timeout is failed (timeout) with the reason it waited; claimed
        here so that a worker that connects later drops it."""
        run: Any = handle.run
        timeout = run.plan.timeout
        if timeout is None or run.queued is None or time.monotonic() - run.queued < timeout:
            return
        if not self.client.set(b.claim_key(handle.run_id), "expired@daemon", nx=True, ex=7 * 86400):
            return  # a worker took it just now
        body = m.build(run.plan, run_id=handle.run_id, trigger={}, variables=None, source="", fence=0)
        able = routing.able(self.client, body["needs"])
        why = f"the workers that could take it ({', '.join(able)}) were busy" if able else routing.lack(body)
        how = f"the run did not start within {timeout:g}s (policy.timeout): {why}"
        log.error("run %s of %s: %s", handle.run_id, handle.workflow, how)
        self._ended_here(handle, FAILED, how, "timeout", begun=True)

    def _lost(self, handle: RunHandle, worker: str) -> None:
        """``worker`` stopped heart-beating with the run: interrupted (worker lost); again only under retry_lost."""
        run: Any = handle.run
        if self.get(handle.run_id) is None:  # its end arrived meanwhile
            return
        how = (f"the worker {worker} was lost (no heartbeat for {self.settings.heartbeat_timeout:g} s); the run "
               "was stopped there")  # fmt: skip
        log.error("run %s of %s: %s", handle.run_id, handle.workflow, how)
        policy = dict(m.workflow_of(run.plan).policy)
        self._ended_here(handle, INTERRUPTED, how, "worker", begun=False)
        if policy.get("retry_lost") and not self._closed:
            log.info("%s: policy retry_lost: the run is sent again", handle.workflow)
            trigger = {**run.trigger, "retry_of": handle.run_id}
            self.submit(run.plan, trigger=trigger, variables=run.variables, source=run.source)
