"""``flowdeck cancel RUN_ID --broker URL``: cancel a run that a ``flowdeck daemon --broker URL`` sent to its workers.

The worker that runs it stops it at once (its programs are ended, as a cancel in the app does) and the daemon's
history records it cancelled, by this command; a run still waiting in the queue is not run. The command waits
``--wait`` seconds for the worker to say the run stopped (docs/scaling.md, "Cancelling a run on a worker").
"""

from __future__ import annotations

import argparse
import sys
import time

HELP = "cancel a run of a daemon with --broker, on the worker that runs it"
PROG = "flowdeck cancel"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_id", metavar="RUN_ID", help="the run (flowdeck history shows the ids of running runs)")
    parser.add_argument("--broker", required=True, metavar="URL", help="the daemon's Redis server: "
                        "redis://HOST:PORT/DB")  # fmt: skip
    parser.add_argument("--wait", type=float, default=5.0, metavar="S",
                        help="seconds to wait for the worker to say the run stopped (default 5; 0: do not "
                        "wait)")  # fmt: skip


def main(args: argparse.Namespace) -> int:
    from engine.distributed import broker as b

    try:
        b.require()
    except b.BrokerError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    import redis

    from engine.distributed import cancel

    run_id = args.run_id.strip()
    try:
        client = b.redis_client(b.check_url(args.broker))
        b.reach(client, args.broker)
        worker = client.get(b.claim_key(run_id))
        asked = time.monotonic()
        cancel.send(client, run_id, cancel.who_here("flowdeck cancel"))
        if not worker:
            print(f"run {run_id}: no worker has taken it; it is cancelled when one takes it (not run)")
            return 0
        stopped = cancel.wait_stopped(client, run_id, max(0.0, args.wait))
    except b.BrokerError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except redis.RedisError as exc:
        print(f"{PROG}: the broker {b.safe_url(args.broker)} does not answer ({exc})", file=sys.stderr)
        return 1
    if stopped:
        print(f"run {run_id}: cancelled on {stopped} ({time.monotonic() - asked:.2f} s)")
        return 0
    print(f"{PROG}: run {run_id}: {worker} did not say it stopped within {args.wait:g} s (the run may have ended "
          "before, or the worker is away)", file=sys.stderr)  # fmt: skip
    return 1
