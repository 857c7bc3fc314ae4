"""``flowdeck daemon [DIR]``: the scheduling service without a window.

A workspace already run by another process (the app, another daemon) is not armed: the daemon says who runs it in
one line and exits with code 1. SIGTERM or SIGINT stops it: no new triggers, running runs get ``--grace`` seconds,
the rest are cancelled (and recorded 'cancelled'), exit code 0. The log goes to
stderr and to ``daemon.log`` in the user log folder.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

HELP = "run the triggers of every workflow in DIR (default: the workspace) without a window"
STOP_SLACK = 2.5  # s past the grace: a stubborn run is ended 1 s in, and 1.5 s more record it on a busy machine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", metavar="DIR", help="workspace folder of workflow files")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds running runs get to finish on stop")
    parser.add_argument("--port", type=int, default=8765, help="webhook port on 127.0.0.1")
    parser.add_argument("--broker", metavar="URL", help="send runs to `flowdeck worker`s through this Redis server "
                        "(redis://HOST:PORT/DB) instead of running them here (docs/scaling.md)")  # fmt: skip
    parser.add_argument(
        "--heartbeat-timeout",
        type=float,
        default=None,
        metavar="S",
        help="with --broker: seconds without a worker's heartbeat before its runs are lost (15)",
    )


def _logging() -> None:
    logging_setup("daemon.log")


def logging_setup(file_name: str) -> None:
    """Log to stderr and to ``file_name`` in the user log folder (the daemon's and the worker's)."""
    from platformdirs import user_log_path

    from engine.cli.output import CleanFormatter

    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    try:
        folder = user_log_path("flowdeck")
        folder.mkdir(parents=True, exist_ok=True)
        handlers.append(RotatingFileHandler(folder / file_name, maxBytes=1_000_000, backupCount=3))
    except OSError as exc:
        print(f"flowdeck daemon: cannot write the log file: {exc}", file=sys.stderr)
    formatter = CleanFormatter("%(asctime)s %(levelname)s %(message)s")  # user text in a line must not steer a terminal
    for handler in handlers:
        handler.setFormatter(formatter)
    logging.basicConfig(level=logging.INFO, handlers=handlers)


def stop_within(service: Any, grace: float) -> bool:
    """``service.stop(grace)``, waited for at most ``grace + STOP_SLACK`` seconds; False when it did not end.

    Runs execute in worker processes, and Engine.shutdown ends the process of a run that ignores its cancel one
    second later, so this bound is a safety net: should a stop still hang (a host call that never returns, say),
    the daemon leaves anyway instead of outliving its grace period.
    """
    stopper = threading.Thread(target=service.stop, kwargs={"grace": grace}, name="flowdeck-stop", daemon=True)
    stopper.start()
    stopper.join(grace + STOP_SLACK)
    return not stopper.is_alive()


def _leave_now(engine: Any) -> None:
    """Exit although runs are still going: their worker threads would keep the interpreter alive at exit."""
    names = ", ".join(sorted({h.workflow for h in engine.active()})) or "?"
    logging.error(
        "runs of %s did not end %.1f s after being cancelled; leaving without them (the history shows them as "
        "interrupted)",
        names,
        STOP_SLACK,
    )
    if engine.history is not None:
        engine.history.flush(1.0)  # what the other runs recorded is kept
    logging.shutdown()
    os._exit(0)


def _broker_engine(args: argparse.Namespace, history: Any, workspace: Path) -> Any:
    """The engine that sends runs to the broker (imported only with --broker), or None (said in one line)."""
    from engine.distributed import broker as b

    try:
        b.require()
        settings = b.Settings(b.check_url(args.broker), b.heartbeat_timeout(args.heartbeat_timeout))
        from engine.distributed.dispatch import BrokerEngine

        engine = BrokerEngine(settings, history=history, root=workspace)
        engine.connect()
    except b.BrokerError as exc:
        logging.error("flowdeck daemon: %s", exc)
        history.close()
        return None
    logging.info("runs go to the workers of %s", b.safe_url(args.broker))
    return engine


def main(args: argparse.Namespace) -> int:
    # first of all: a stop that comes while the service is still starting must not kill the process outright (its
    # startup runs would leave no record); it stops the service as soon as it has started
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    from engine.runtime import Engine
    from engine.runtime.history import History, default_history_path
    from engine.runtime.state import StateDB
    from engine.scheduling.lock import DAEMON, WorkspaceBusy
    from engine.scheduling.runlog import RunLog
    from engine.scheduling.service import Service
    from engine.scheduling.workspace import default_workspace

    _logging()
    workspace = Path(args.dir).expanduser() if args.dir else default_workspace()
    if args.dir and not workspace.is_dir():  # a folder named by hand that is not there is a typo, not a new workspace
        logging.error("flowdeck daemon: %s: no such folder", workspace)
        return 1
    if args.broker:
        engine = _broker_engine(args, History(default_history_path()), workspace)
        if engine is None:
            return 1
    else:
        engine = Engine(history=History(default_history_path()), isolation="process", state=StateDB.default())
    service = Service(workspace, engine=engine, webhook_port=args.port, who=DAEMON)
    engine.subscribe(RunLog())  # a line per run started and finished
    try:
        service.start()
    except WorkspaceBusy as busy:  # one scheduler per workspace: this one does not arm it (docs/triggers.md)
        logging.error("%s", busy)
        engine.shutdown(0)
        return 1
    logging.info("watching %s (%d workflows)", workspace, len(service.workflows()))
    while not stop.wait(0.5):
        pass
    started = time.monotonic()
    logging.info("stopping: running runs get %.1f s to finish", args.grace)
    if not stop_within(service, args.grace):
        _leave_now(engine)
    logging.info("stopped in %.2f s", time.monotonic() - started)
    return 0
