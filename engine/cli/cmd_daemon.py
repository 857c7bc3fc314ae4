"""``flowdeck daemon [DIR]``: the scheduling service without a window."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

HELP = "run the triggers of every workflow in DIR (default: the workspace) without a window"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", metavar="DIR", help="workspace folder of workflow files")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds running runs get to finish on stop")
    parser.add_argument("--port", type=int, default=8765, help="webhook port on 127.0.0.1")


def _logging() -> None:
    from platformdirs import user_log_path

    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    try:
        folder = user_log_path("flowdeck")
        folder.mkdir(parents=True, exist_ok=True)
        handlers.append(RotatingFileHandler(folder / "daemon.log", maxBytes=1_000_000, backupCount=3))
    except OSError as exc:
        print(f"flowdeck daemon: cannot write the log file: {exc}", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", handlers=handlers)


def main(args: argparse.Namespace) -> int:
    from engine.runtime import Engine
    from engine.runtime.history import History, default_history_path
    from engine.scheduling.service import Service
    from engine.scheduling.workspace import default_workspace

    _logging()
    workspace = Path(args.dir).expanduser() if args.dir else default_workspace()
    engine = Engine(history=History(default_history_path()))
    service = Service(workspace, engine=engine, webhook_port=args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    service.start()
    logging.info("watching %s (%d workflows)", workspace, len(service.workflows()))
    while not stop.wait(0.5):
        pass
    started = time.monotonic()
    service.stop(grace=args.grace)
    logging.info("stopped in %.2f s", time.monotonic() - started)
    return 0
