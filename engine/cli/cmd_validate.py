"""``flowdeck validate FILE…``: every problem, one line each, as file:line:col: message."""

from __future__ import annotations

import argparse
import sys

HELP = "check workflow files and print every problem with its line and column"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="workflow files (.yaml)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only, no warnings or OK lines")


def main(args: argparse.Namespace) -> int:
    from engine.io import read_file

    failed = 0
    for name in args.files:
        _, problems = read_file(name)
        errors = [p for p in problems if p.is_error]
        for p in problems:
            if p.is_error or not args.quiet:
                print(p, file=sys.stderr if p.is_error else sys.stdout)
        if errors:
            failed += 1
        elif not args.quiet:
            print(f"{name}: OK")
    return 1 if failed else 0
