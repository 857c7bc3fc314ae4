"""``flowdeck pin``: pin a step's output (from a past run, or typed as YAML/JSON), list the pins, or unpin.

Pins are used by runs started for trying (the editor, ``flowdeck run --pins``), never by scheduled, watch,
webhook or daemon runs; they live beside the workflow file (engine.runtime.pins), not in it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from engine.cli.output import clean

HELP = "pin a step's output for trying runs (flowdeck run --pins), list the pins, or unpin (--remove)"
PROG = "flowdeck pin"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the workflow file")
    parser.add_argument("step", nargs="?", metavar="STEP", help="the step to pin (without it: list the pins)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--from-run", metavar="RUN_ID", help="pin STEP's output in this past run (default: the "
                        "workflow's last run that ran STEP)")  # fmt: skip
    source.add_argument("--value", metavar="YAML", help="pin this value (YAML or JSON; '-' reads stdin)")
    source.add_argument("--remove", action="store_true", help="unpin STEP")
    parser.add_argument("--port", default="next", help="the port a pinned branch step leaves by (default next)")
    parser.add_argument("--json", action="store_true", help="list the pins as JSON")


def _say(message: str, code: int) -> int:
    print(clean(f"{PROG}: {message}"), file=sys.stderr)
    return code


def main(args: argparse.Namespace) -> int:
    from engine.io import read_file
    from engine.runtime.pins import PinsError, load_pins, pin, unpin

    wf, problems = read_file(args.file)
    if wf is None:
        return _say("; ".join(str(p) for p in problems if p.is_error) or f"{args.file}: cannot be read", 1)
    path = Path(args.file)
    try:
        if args.step is None:
            return _list(load_pins(path), args.json)
        if args.step not in wf.steps:
            return _say(f"{args.file}: no step '{args.step}'", 2)
        if args.remove:
            if not unpin(path, args.step):
                return _say(f"step '{args.step}' has no pin", 1)
            print(f"unpinned {args.step}")
            return 0
        output, run_id = _value(args, wf.name)
        where = pin(path, args.step, output, args.port, run_id)
    except PinsError as exc:
        return _say(str(exc), 1)
    except _NoValue as exc:
        return _say(str(exc), 1)
    origin = f"from run {run_id}" if run_id else "as given"
    print(clean(f"pinned {args.step} {origin} (kept in {where})"))
    return 0


class _NoValue(Exception):
    pass


def _value(args: argparse.Namespace, workflow: str) -> tuple[Any, str | None]:
    if args.value is not None:
        from engine.runtime.pins import parse_value

        text = sys.stdin.read() if args.value == "-" else args.value
        try:
            return parse_value(text), None
        except ValueError as exc:
            raise _NoValue(f"--value is {exc}") from None
    from engine.runtime.history import History, default_history_path
    from engine.runtime.pastruns import NoPastRun, step_output

    history = History(default_history_path())
    try:
        return step_output(history, workflow, args.step, args.from_run)
    except NoPastRun as exc:
        raise _NoValue(f"{exc} (run it once, or give --value)") from None
    finally:
        history.close()


def _list(pins: dict[str, Any], as_json: bool) -> int:
    if as_json:
        print(json.dumps(pins, indent=2, ensure_ascii=False, default=str))
        return 0
    if not pins:
        print("no pinned steps")
        return 0
    for step, data in sorted(pins.items()):
        origin = f"from run {data['from_run']}" if data.get("from_run") else "typed"
        text = json.dumps(data.get("output"), ensure_ascii=False, default=str)
        text = text if len(text) <= 80 else text[:80] + "…"
        print(clean(f"{step}  ({origin})  {text}"))
    return 0
