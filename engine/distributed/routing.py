"""Which workers could take a run: each worker's heartbeat key holds its tags, so the daemon can say why a run waits.

Dramatiq hands a run to any worker listening on the run's queue (engine.distributed.broker.queue_for); this module
only reads who is connected, to tell a person in one line when no connected worker has the tags a run needs (its
``policy.runs_on``, and ``desktop`` for a workflow with Desktop blocks).
"""

from __future__ import annotations

import time
from typing import Any

from engine.distributed import broker as b
from engine.distributed.bundle import DESKTOP

WORKERS = b.PREFIX + "workers"  # the names of the workers that connected (each alive while its heartbeat key is)


def heartbeat(tags: list[str]) -> str:
    """The value of a worker's heartbeat key: when it beat and its tags."""
    return f"{time.time():.3f}|{','.join(tags)}"


def tags_of(value: str | None) -> set[str]:
    if not value or "|" not in value:
        return set()
    return {t for t in value.split("|", 1)[1].split(",") if t}


def joined(client: Any, name: str) -> None:
    """Note a worker in the set of workers (read by ``workers``; a name whose heartbeat expired is pruned there)."""
    client.sadd(WORKERS, name)


def workers(client: Any) -> dict[str, set[str]]:
    """Every connected worker (its heartbeat is alive) with its tags: two commands, whatever else Redis holds."""
    names = sorted(client.smembers(WORKERS))
    values = client.mget([b.worker_key(n) for n in names]) if names else []
    gone = [n for n, v in zip(names, values, strict=False) if v is None]
    if gone:
        client.srem(WORKERS, *gone)
    return {n: tags_of(v) for n, v in zip(names, values, strict=False) if v is not None}


def able(client: Any, needs: list[str]) -> list[str]:
    """The connected workers that have every tag of ``needs``."""
    wanted = set(needs)
    return sorted(name for name, tags in workers(client).items() if wanted <= tags)


def lack(body: dict) -> str:
    """Why no connected worker can take the run: the tags it needs and what asks for them."""
    needs = list(body.get("needs") or [])
    if not needs:
        return "no worker is connected"
    reasons = []
    desktop = list(body.get("desktop_blocks") or [])
    if DESKTOP in needs and desktop:
        reasons.append(f"its Desktop blocks ({', '.join(desktop)}) need a worker in a desktop session")
    asked = [str(t) for t in (body.get("policy") or {}).get("runs_on") or []]
    if asked:
        reasons.append(f"policy.runs_on asks for {', '.join(asked)}")
    return f"no connected worker has the tags {', '.join(needs)} ({'; '.join(reasons) or 'it needs them'})"


def why_waiting(body: dict) -> str:
    """One line for the log: why a run waits in the queue, and what would take it."""
    desktop = body.get("desktop_blocks")
    hint = " (start `flowdeck worker` inside a desktop session, or with --desktop)" if desktop else ""
    return f"{lack(body)}; the run waits in the queue until one connects{hint}"
