"""The connection to the broker (a Redis server): its URL, the Redis client, the Dramatiq broker, key names.

Every Flowdeck key lives under ``flowdeck:`` in the database the URL names, so one Redis can hold other data too.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass
from typing import Any

PREFIX = "flowdeck:"
QUEUE = "flowdeck"  # runs of workflows without policy.runs_on
EVENTS = PREFIX + "events"  # the stream of run events, worker → daemon
CANCELS = PREFIX + "cancel"  # pub/sub channel of cancelled run ids, daemon → workers
GROUP = "daemons"  # the consumer group of the event stream: whichever daemon leads reads it
EVENTS_MAXLEN = 200_000  # events kept in the stream (approximately); read ones are acknowledged long before
HEARTBEAT_TIMEOUT = 15.0  # s without a worker's heartbeat before its runs are lost (FLOWDECK_HEARTBEAT_TIMEOUT)
ACTOR = "flowdeck_run"


class BrokerError(RuntimeError):
    """The broker URL is bad or the broker cannot be reached; the message is one line for people."""


@dataclass(frozen=True)
class Settings:
    url: str
    heartbeat_timeout: float = HEARTBEAT_TIMEOUT

    @property
    def heartbeat_every(self) -> float:
        return max(0.2, self.heartbeat_timeout / 5)


def require() -> None:
    """A BrokerError (one line saying what to install) when Dramatiq or the Redis client is missing."""
    try:
        import dramatiq  # noqa: F401
        import redis  # noqa: F401
    except ImportError as exc:
        raise BrokerError(
            f"runs on workers need Dramatiq and the Redis client ({exc.name} is missing): "
            "pip install 'flowdeck[workers]' (or: pip install 'dramatiq[redis]')"
        ) from None


def heartbeat_timeout(value: float | None = None) -> float:
    """``value``, else FLOWDECK_HEARTBEAT_TIMEOUT, else 15 s; a BrokerError for a value that is no positive number."""
    raw = value if value is not None else os.environ.get("FLOWDECK_HEARTBEAT_TIMEOUT", HEARTBEAT_TIMEOUT)
    try:
        seconds = float(raw)
    except ValueError:
        raise BrokerError(f"FLOWDECK_HEARTBEAT_TIMEOUT: expected seconds, got {raw!r}") from None
    if not 0.5 <= seconds <= 3600:
        raise BrokerError(f"heartbeat timeout: {seconds:g} s is outside 0.5 … 3600 s")
    return seconds


def check_url(url: str) -> str:
    """``url`` if it is a redis:// (or rediss://, unix://) URL, else a BrokerError naming what is wrong."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise BrokerError(f"--broker {url!r}: expected redis://HOST:PORT/DB (the Redis server runs the queue)")
    if parts.scheme != "unix" and not parts.hostname:
        raise BrokerError(f"--broker {url!r}: the URL names no host (redis://HOST:PORT/DB)")
    return url


def redis_client(url: str) -> Any:
    """A Redis client of ``url`` that reconnects by itself: a dropped connection is tried again twice at once (a
    broker that restarts is waited for by the callers' own loops, which never block a scheduler thread long)."""
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    retry = Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=2)
    return redis.Redis.from_url(
        check_url(url),
        decode_responses=True,
        retry=retry,
        retry_on_error=[redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError],
        health_check_interval=10,
        socket_connect_timeout=2,
    )


def reach(client: Any, url: str) -> None:
    """A BrokerError (one line) when the broker does not answer."""
    import redis

    try:
        client.ping()
    except redis.RedisError as exc:
        raise BrokerError(f"the broker {safe_url(url)} cannot be reached: {exc}") from None


def dramatiq_broker(settings: Settings) -> Any:
    """The Dramatiq Redis broker: a worker that stops heart-beating for ``heartbeat_timeout`` has its unfinished
    messages handed to another worker, checked on every fetch (Dramatiq's default checks rarely: measured, a
    message of a killed worker came back only after minutes)."""
    from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
    from dramatiq.middleware import AgeLimit, Callbacks, Pipelines, Retries, ShutdownNotifications

    middleware = [AgeLimit(), ShutdownNotifications(), Callbacks(), Pipelines(), Retries(max_retries=0)]
    return RedisBroker(
        url=check_url(settings.url),
        namespace="flowdeck-queue",
        middleware=middleware,
        heartbeat_timeout=int(settings.heartbeat_timeout * 1000),
        maintenance_chance=MAINTENANCE_SCALE,
    )


def queue_for(tags: list[str] | tuple[str, ...]) -> str:
    """The queue of runs that need workers with all of ``tags`` (none: the common queue)."""
    return QUEUE if not tags else QUEUE + "." + "+".join(sorted(set(tags)))


def queues_of(tags: list[str]) -> set[str]:
    """Every queue a worker with ``tags`` takes runs from: the common one and one per combination of its tags."""
    from itertools import combinations

    unique = sorted(set(tags))
    out = {QUEUE}
    for n in range(1, len(unique) + 1):
        out.update(queue_for(list(c)) for c in combinations(unique, n))
    return out


def safe_url(url: str) -> str:
    """``url`` without its password (for log lines)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:•••@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def worker_key(name: str) -> str:
    return f"{PREFIX}worker:{name}"


def claim_key(run_id: str) -> str:
    return f"{PREFIX}claim:{run_id}"


def cancel_key(run_id: str) -> str:
    return f"{PREFIX}cancelled:{run_id}"
