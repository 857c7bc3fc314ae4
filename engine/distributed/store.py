"""Saved values (``state``) in the broker's Redis: one hash per workflow, shared by every worker of the broker.

Values are JSON texts in the hash ``flowdeck:state:<identity>`` (the identity is message.identity of the daemon's
file, so moving the file starts afresh, as with the local store); ``…:meta`` beside it keeps the workflow's name,
its file as the workspace names it and when each value was set, for ``flowdeck state --broker``. ``increment`` is
one Lua script: two workers counting at once lose no count. Workflow files a worker wrote for a run are known by
their identity (``alias``).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from engine.errors import StepError

PREFIX = "flowdeck:state:"
META = ":meta"
# previous value, new value; an error reply when the saved value is no number (or a true/false)
_INCREMENT = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
local before = 0
if old then
  before = tonumber(old)
  if before == nil then return redis.error_reply('NaN') end
end
local after = before + tonumber(ARGV[2])
if ARGV[3] == '1' then after = 0 end
local text = tostring(after)
if after == math.floor(after) and math.abs(after) < 1e15 then text = string.format('%d', after) end
redis.call('HSET', KEYS[1], ARGV[1], text)
redis.call('HSET', KEYS[1] .. ':meta', 'name', ARGV[4], 'file', ARGV[5], 'at:' .. ARGV[1], ARGV[6])
return {old or '0', text}
"""


class RedisStateDB:
    """Stands where the engine's StateDB would (``store(workflow, name)``)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._increment = client.register_script(_INCREMENT)
        self._aliases: dict[str, str] = {}  # a file's path on this worker → its identity
        self._labels: dict[str, str] = {}  # identity → the file as the daemon's workspace names it
        self._lock = threading.Lock()

    def alias(self, paths: dict[Any, str], labels: dict[str, str] | None = None) -> None:
        with self._lock:
            self._aliases.update({str(p): key for p, key in paths.items()})
            self._labels.update(labels or {})

    def forget(self, paths: dict[Any, str]) -> None:
        with self._lock:
            for p in paths:
                self._aliases.pop(str(p), None)

    def store(self, workflow: str, name: str) -> RedisState:
        with self._lock:
            key = self._aliases.get(workflow, workflow)
            label = self._labels.get(key, name)
        return RedisState(self, key, name, label)

    def close(self) -> None:
        pass

    # what `flowdeck state --broker` shows and forgets (the StateDB interface of engine.cli.cmd_state) ----------
    def _identities(self) -> list[str]:
        keys = self.client.scan_iter(match=PREFIX + "*", count=500)
        return sorted({k.removeprefix(PREFIX).removesuffix(META) for k in keys})

    def entries(self, workflows: list[str] | None = None) -> list[Any]:
        from engine.runtime.state import Saved

        out = []
        for ident in workflows if workflows is not None else self._identities():
            values, meta = self.client.hgetall(PREFIX + ident), self.client.hgetall(PREFIX + ident + META)
            name, label = meta.get("name", ident), meta.get("file", ident)
            for key, text in values.items():
                out.append(Saved(name, label, key, json.loads(text), float(meta.get("at:" + key) or 0.0)))
        return sorted(out, key=lambda e: (e.workflow, e.path, e.key))

    def workflows_named(self, given: str) -> list[str]:
        """The identities whose workflow name, or file in the workspace, is ``given``."""
        found = []
        for ident in self._identities():
            meta = self.client.hgetall(PREFIX + ident + META)
            if given in (meta.get("name"), meta.get("file")) and self.client.exists(PREFIX + ident):
                found.append(ident)
        return found

    def clear(self, workflow: str, key: str | None = None) -> int:
        if key is None:
            count = int(self.client.hlen(PREFIX + workflow))
            self.client.delete(PREFIX + workflow, PREFIX + workflow + META)
            return count
        count = int(self.client.hdel(PREFIX + workflow, key))
        self.client.hdel(PREFIX + workflow + META, "at:" + key)
        return count


class RedisState:
    """One workflow's saved values in Redis (the StateStore its runs see)."""

    def __init__(self, db: RedisStateDB, key: str, name: str, label: str = "") -> None:
        self.db, self.key, self.name, self.label = db, PREFIX + key, name, label or name

    def _stamp(self, pipe: Any, key: str) -> None:
        pipe.hset(self.key + META, mapping={"name": self.name, "file": self.label, "at:" + key: repr(time.time())})

    def _do(self, doing: str, call: Any) -> Any:
        import redis

        try:
            return call()
        except redis.RedisError as exc:
            raise StepError(f"state: could not {doing}: the broker's Redis answered {exc}", "state") from None

    def get(self, key: str, default: Any = None) -> Any:
        text = self._do(f"read '{key}'", lambda: self.db.client.hget(self.key, key))
        return default if text is None else json.loads(text)

    def set(self, key: str, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False)

        def save() -> None:
            pipe = self.db.client.pipeline()  # MULTI/EXEC: the value and when it was set, together
            pipe.hset(self.key, key, text)
            self._stamp(pipe, key)
            pipe.execute()

        self._do(f"save '{key}'", save)

    def delete(self, key: str) -> None:
        self._do(f"forget '{key}'", lambda: self.db.client.hdel(self.key, key))

    def increment(self, key: str, by: float = 1, reset: bool = False) -> tuple[Any, float]:
        """Add ``by`` to the counter ``key`` (0 if unset) in one step on the server; returns (previous, new value)."""
        import redis

        keys, args = [self.key], [key, repr(float(by)), "1" if reset else "0", self.name, self.label, repr(time.time())]
        try:
            old, new = self.db._increment(keys=keys, args=args)
        except redis.ResponseError:
            previous = self.get(key)
            raise StepError(f"the saved value '{key}' is {previous!r}, not a number; it cannot be counted", "value")
        except redis.RedisError as exc:
            raise StepError(f"state: could not count '{key}': the broker's Redis answered {exc}", "state") from None
        return json.loads(old), json.loads(new)

    def sibling(self, workflow: str, name: str) -> RedisState:
        return self.db.store(workflow, name)

    def of(self, workflow: str, name: str, method: str, *args: Any) -> Any:
        return getattr(self.sibling(workflow, name), method)(*args)
