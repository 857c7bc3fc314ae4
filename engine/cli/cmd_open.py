"""``flowdeck open FILE``: open a workflow in the app, handing it to the Flowdeck already running if there is one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.output import clean

HELP = "open a workflow in the app (the running Flowdeck opens it, or the app starts with it)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", nargs="+", help="the workflow file(s)")


def main(args: argparse.Namespace) -> int:
    files = [Path(f).expanduser() for f in args.file]
    for path in files:
        if not path.is_file():
            print(clean(f"flowdeck open: {path}: no such file"), file=sys.stderr)
            return 1
    return args.open_app([str(p.resolve()) for p in files])  # the launcher's (gui.launch): the engine has no GUI
