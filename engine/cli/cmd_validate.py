"""``flowdeck validate FILE…``: every problem, one line each, as file:line:col: message (or JSON with --json)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from engine.cli.output import clean

HELP = "check workflow files and print every problem with its line and column"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="workflow files (.yaml)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only, no warnings or OK lines")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON list of the problems (file, line, col, severity, message, path) on stdout",
    )


def main(args: argparse.Namespace) -> int:
    from engine.io import read_file

    failed = 0
    found: list[dict[str, Any]] = []
    for name in args.files:
        _, problems = read_file(name)
        shown = [p for p in problems if p.is_error or not args.quiet]
        has_error = any(p.is_error for p in problems)
        failed += has_error
        if args.json:
            found += [as_dict(p, name) for p in shown]
            continue
        for p in shown:
            print(clean(p), file=sys.stderr if p.is_error else sys.stdout)
        if not has_error and not args.quiet:
            print(clean(f"{name}: OK"))
    if args.json:
        print(json.dumps(found, indent=2))
    return 1 if failed else 0


def as_dict(problem: Any, name: str) -> dict[str, Any]:
    """A problem as --json prints it; ``path`` is where in the model (["steps", "a", "do"]), ``[]`` for the file."""
    return {
        "file": problem.file or name,
        "line": problem.line,
        "col": problem.col if problem.col is not None or problem.line is None else 1,
        "severity": problem.severity,
        "message": problem.message,
        "path": [p if isinstance(p, int) else str(p) for p in problem.path],
    }
