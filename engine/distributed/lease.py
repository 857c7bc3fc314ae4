"""One leader among the daemons of a broker: a Redis lease with a fencing token.

The lease is the key ``flowdeck:leader`` (``TOKEN|HOLDER``, expiring after ``ttl``), renewed every third of it by
its holder. Taking it increments ``flowdeck:fence`` in the same script, and ``flowdeck:leader:current`` keeps the
newest token with the broker's time it was taken: a worker drops a run sent with an older token after that moment
(a leader that was paused past its lease and woke up still believing it leads). A daemon counts itself leader only
while its last renewal is younger than 80 % of ``ttl`` by its own clock, so it stops sending before the lease can
pass to another.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from engine.distributed.broker import PREFIX

log = logging.getLogger("flowdeck.distributed")
KEY, FENCE, CURRENT = PREFIX + "leader", PREFIX + "fence", PREFIX + "leader:current"
_TAKE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local token = redis.call('INCR', KEYS[2])
  local now = redis.call('TIME')
  local value = token .. '|' .. ARGV[1]
  redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
  redis.call('SET', KEYS[3], token .. '|' .. string.format('%d.%06d', now[1], now[2]))
  return value
end
return false
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


def current(client: Any) -> tuple[int, float]:
    """The newest fencing token and the broker's time it was taken ((0, 0.0) before any)."""
    text = client.get(CURRENT)
    if not text:
        return 0, 0.0
    token, since = text.split("|", 1)
    return int(token), float(since)


def server_time(client: Any) -> float:
    seconds, micro = client.time()
    return seconds + micro / 1e6


class Lease:
    """Take and keep the lease for ``holder``; ``on_change(leading)`` is told each time that changes."""

    def __init__(self, client: Any, holder: str, ttl: float, on_change: Callable[[bool], None]) -> None:
        self.client, self.holder, self.ttl, self.on_change = client, holder, ttl, on_change
        self._take, self._renew = client.register_script(_TAKE), client.register_script(_RENEW)
        self.value: str | None = None
        self.token = 0
        self._renewed = 0.0  # time.monotonic() of the last renewal that the broker confirmed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._silent = False  # renewals fail (the broker is away)

    def holding(self) -> bool:
        """True while this daemon took the lease and has not learned that it lost it (its renewals may be late)."""
        return self.value is not None

    def held(self) -> bool:
        return self.value is not None and time.monotonic() - self._renewed < self.ttl * 0.8

    def leader(self) -> str:
        """Who holds the lease now (``TOKEN|HOLDER``), or '' when nobody does."""
        return self.client.get(KEY) or ""

    def try_take(self) -> bool:
        asked = time.monotonic()
        value = self._take(keys=[KEY, FENCE, CURRENT], args=[self.holder, int(self.ttl * 1000)])
        if not value:
            return False
        self.value, self.token, self._renewed = value, int(value.split("|", 1)[0]), asked
        log.info("this daemon leads the broker's daemons (fencing token %d)", self.token)
        self.on_change(True)
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._keep, name="flowdeck-lease", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Give the lease up at once (the other daemon need not wait for it to expire)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        if self.value is not None:
            try:
                self.client.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end",
                                 1, KEY, self.value)  # fmt: skip
            except Exception:  # the broker is away: the lease expires by itself
                pass

    def _keep(self) -> None:
        import redis

        while not self._stop.wait(self.ttl / 3):
            try:
                if self.value is None:
                    self.try_take()
                    continue
                asked = time.monotonic()
                if self._renew(keys=[KEY], args=[self.value, int(self.ttl * 1000)]):
                    self._renewed = asked
                else:
                    self._lose("its lease expired or another daemon took it")
            except redis.RedisError as exc:
                if self.value is not None and not self.held() and not self._silent:
                    self._silent = True  # it still holds the lease, as far as it knows: it sends again once renewed
                    log.warning("the lease cannot be renewed (%s); nothing is sent until the broker answers", exc)
                continue
            self._silent = False

    def _lose(self, why: str) -> None:
        log.warning("this daemon no longer leads: %s; it waits and takes over when the lease is free", why)
        self.value = None
        self.on_change(False)
