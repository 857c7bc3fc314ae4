"""Which fire of a trigger a run is, the same on every daemon of a broker, so that only one daemon sends it.

The daemon that sets the key (``SET NX``) sends the fire; a standby holds its fires and, when it takes over, sends
only those whose key nobody set (engine.distributed.dispatch).
"""

from __future__ import annotations

import os
import time

from engine.distributed import broker as b


def fire_key(body: dict, trigger: dict) -> str | None:
    """The key of one fire of a schedule, the same on every daemon of the broker: a cron or ``at`` fire by its
    time, an ``every`` fire by the interval it falls in (each daemon counts its rhythm from its own start); a watch
    fire by its file's path, event and modification (watch_key)."""
    if trigger.get("kind") == "watch":
        return watch_key(body, trigger)
    if trigger.get("kind") != "schedule" or not trigger.get("scheduled"):
        return None
    from datetime import datetime

    from engine.model.durations import parse_duration

    scheduled = datetime.fromisoformat(str(trigger["scheduled"])).timestamp()
    spec = trigger.get("cron") or trigger.get("at") or trigger.get("every")
    slot = f"{scheduled:.0f}"
    if trigger.get("every"):
        every = max(1.0, float(parse_duration(trigger["every"])))
        slot = f"{int(scheduled // every)}"
    identity = body["files"][body["main"]]["state"]
    return f"{b.PREFIX}fired:{identity}:{spec}:{slot}"


def watch_key(body: dict, trigger: dict) -> str:
    """One change of one file, as both daemons watching a shared folder see it: its path, the event and the file's
    modification time and size (a deleted file: the 10 s it was seen in)."""
    path = str(trigger.get("path") or "")
    try:
        stat = os.stat(path)
        seen = f"{stat.st_mtime_ns}:{stat.st_size}"
    except OSError:
        seen = f"gone:{int(time.time() // 10)}"
    identity = body["files"][body["main"]]["state"]
    return f"{b.PREFIX}fired:{identity}:watch:{trigger.get('event')}:{path}:{seen}"
