"""``flowdeck worker --broker URL``: run the runs a ``flowdeck daemon --broker URL`` sends (docs/scaling.md).

Each run executes in this machine's worker-process pool (``--workers`` at a time), with this machine's secrets
and blocks; its events go back to the daemon through the broker. SIGTERM or SIGINT: no new runs, running ones get
``--grace`` seconds, exit code 0. A broker that cannot be reached at start is one line and exit code 1.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

HELP = "run the runs a daemon with --broker sends, on this machine"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker", required=True, metavar="URL", help="the Redis server: redis://HOST:PORT/DB")
    parser.add_argument("--tags", default="", help="comma-separated tags: runs with policy.runs_on come only to "
                        "workers that have all of them")  # fmt: skip
    parser.add_argument("--desktop", action=argparse.BooleanOptionalAction, default=None,
                        help="this worker runs Desktop blocks (the 'desktop' tag); default: when DISPLAY or "
                        "WAYLAND_DISPLAY says it is in a desktop session")  # fmt: skip
    parser.add_argument("--workers", type=int, default=4, help="runs at the same time on this machine (default 4)")
    parser.add_argument("--name", default=None, help="how the history names this worker (default worker@HOST)")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds running runs get to finish on stop")
    parser.add_argument("--heartbeat-timeout", type=float, default=None, metavar="S",
                        help="seconds without a heartbeat before a run is lost (default 15, or "
                        "FLOWDECK_HEARTBEAT_TIMEOUT); use the daemon's value")  # fmt: skip


def bad_tag(text: str) -> str | None:
    """The first tag of ``--tags`` that is no plain word, or None."""
    import re

    for tag in [t.strip() for t in text.split(",") if t.strip()]:
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", tag):
            return tag
    return None


def desktop_tag(wanted: bool | None) -> set[str]:
    """{'desktop'} for a worker in a desktop session (or started with --desktop); --no-desktop: never."""
    import os

    from engine.distributed.bundle import DESKTOP

    session = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return {DESKTOP} if (session if wanted is None else wanted) else set()


def main(args: argparse.Namespace) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    from engine.cli.cmd_daemon import logging_setup
    from engine.distributed import broker as b
    from engine.runtime.secrets import take_from_environment

    take_from_environment()  # FLOWDECK_SECRET_* of this machine, never seen by the runs' programs
    logging_setup("worker.log")
    if args.workers < 1:
        print("flowdeck worker: --workers must be 1 or more", file=sys.stderr)
        return 2
    if bad_tag(args.tags) is not None:
        print(f"flowdeck worker: --tags: {bad_tag(args.tags)!r} is not a tag (letters, digits, _ . -)", file=sys.stderr)
        return 2
    tags = sorted({t.strip() for t in args.tags.split(",") if t.strip()} | desktop_tag(args.desktop))
    try:
        b.require()
        settings = b.Settings(b.check_url(args.broker), b.heartbeat_timeout(args.heartbeat_timeout))
        from engine.distributed.worker import Node

        node = Node(settings, tags=tags, workers=args.workers, name=args.name)
        node.start()
    except b.BrokerError as exc:
        logging.error("flowdeck worker: %s", exc)
        return 1
    logging.info("%s is ready (%d at a time, tags: %s)", node.name, args.workers, ", ".join(tags) or "none")
    while not stop.wait(0.5):
        pass
    logging.info("stopping: running runs get %.1f s to finish", args.grace)
    node.stop(args.grace)
    logging.info("stopped")
    return 0
