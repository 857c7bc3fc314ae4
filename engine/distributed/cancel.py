"""Cancelling a run on a worker: the daemon's engine and ``flowdeck cancel RUN_ID --broker URL`` say it the same way.

The cancel key of the run holds who cancelled it (a worker that claims the run later sees it and records it
cancelled without running it), and the cancel channel (pub/sub) tells the worker that runs it at once. The worker
writes the run's stop key when the cancelled run has ended, with its name, so the one who cancelled can say when.
"""

from __future__ import annotations

import getpass
import socket
import time
from typing import Any

from engine.distributed import broker as b

KEEP = 86400  # s the cancel and stop keys are kept: a run that waits in the queue longer is cancelled anyway
SEP = "\t"  # between the run id and who cancelled it, in a message of the cancel channel


def who_here(what: str) -> str:
    """``flowdeck cancel (ann@build-1)``: what cancelled, and the account and host it ran in."""
    try:
        user = getpass.getuser()
    except Exception:  # no name for this uid (a container)
        user = "?"
    return f"{what} ({user}@{socket.gethostname().split('.')[0]})"


def stop_key(run_id: str) -> str:
    return f"{b.PREFIX}stopped:{run_id}"


def send(client: Any, run_id: str, by: str) -> None:
    """Ask every worker to cancel ``run_id`` (the one that runs it, or the one that takes it later)."""
    client.set(b.cancel_key(run_id), by, ex=KEEP)
    client.publish(b.CANCELS, f"{run_id}{SEP}{by}")


def parse(message: str) -> tuple[str, str]:
    """(run id, who) of a message of the cancel channel (a bare run id: from a daemon of the previous version)."""
    run_id, _, by = message.partition(SEP)
    return run_id, by or "the daemon"


def by_of(value: Any) -> str:
    """Who cancelled, from the run's cancel key ("1": a daemon of the previous version)."""
    text = str(value or "")
    return "the daemon" if text in ("", "1") else text


def stopped(client: Any, run_id: str, name: str) -> None:
    """Said by the worker ``name`` when the cancelled run has ended there."""
    client.set(stop_key(run_id), name, ex=KEEP)


def wait_stopped(client: Any, run_id: str, timeout: float) -> str | None:
    """The worker that stopped ``run_id`` once it has (None when it did not within ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        worker = client.get(stop_key(run_id))
        if worker or time.monotonic() >= deadline:
            return worker
        time.sleep(0.02)


def message(by: str) -> str:
    return f"cancelled by {by}"
