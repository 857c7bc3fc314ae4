"""``flowdeck history``: list past runs, show one run's steps, or clear the history."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from engine.cli.output import echo

HELP = "list past runs (flowdeck history [WORKFLOW]), show one (--run ID) or clear them (--clear)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workflow", nargs="?", metavar="WORKFLOW", help="only runs of this workflow (its name)")
    parser.add_argument(
        "--status", help="only runs with this status: succeeded, failed, cancelled, interrupted, skipped (not run)"
    )
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="how many runs to list (default 20)")
    parser.add_argument("--run", metavar="ID", help="show one run (an id or a unique prefix) with its steps")
    parser.add_argument("--clear", action="store_true", help="delete the runs of WORKFLOW (all runs without one)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def main(args: argparse.Namespace) -> int:
    from engine.runtime.history import History, default_history_path

    history = History(default_history_path())
    try:
        for problem in history.problems:
            echo(f"flowdeck history: warning: {problem}", file=sys.stderr)
        if args.clear:
            count = history.clear(args.workflow)
            echo(f"deleted {count} run{'s' if count != 1 else ''}")
            return 0
        if args.run:
            return _show(history, args.run, args.json)
        return _list(history, args)
    finally:
        history.close()


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "-"


def _dur(start: float | None, end: float | None) -> str:
    if start is None or end is None:
        return "-"
    seconds = end - start
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _list(history: Any, args: argparse.Namespace) -> int:
    runs = history.runs(args.workflow, status=args.status, limit=args.limit)
    if args.json:
        print(json.dumps([_as_dict(r) for r in runs], indent=2, default=str))
        return 0
    if not runs:
        echo("no runs recorded" + (f" for {args.workflow!r}" if args.workflow else ""))
        return 0
    for r in runs:
        error = f"  {r.error.get('message', '')}" if r.error else ""
        version = f"v{r.version}" if r.version else "-"  # the version of its file it ran (flowdeck versions FILE)
        echo(f"{r.run_id}  {_when(r.started)}  {r.status:<11} {_dur(r.started, r.finished):>9}  {version:<4} "
             f"{r.workflow}{error}")  # fmt: skip
    return 0


def _show(history: Any, run_id: str, as_json: bool) -> int:
    record = history.run(run_id)
    if record is None:
        echo(f"flowdeck history: no run with id {run_id!r} (or the prefix is not unique)", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(_as_dict(record), indent=2, default=str))
        return 0
    echo(f"run {record.run_id}: {record.workflow} ({record.path or 'no file'})")
    echo(f"  {record.status}, started {_when(record.started)}, took {_dur(record.started, record.finished)}")
    echo(f"  trigger: {record.source} {json.dumps(record.trigger, default=str)}")
    if record.version:
        echo(f"  version: v{record.version} of the file (flowdeck versions FILE --show {record.version})")
    if record.error:
        echo(f"  error: {record.error.get('message')}")
    for s in record.steps:
        took = f"{s.duration * 1000:.0f} ms" if s.duration is not None else "-"
        tries = f", {s.attempts} attempts" if s.attempts > 1 else ""
        echo(f"\n  {s.step} [{s.block}] {s.status}, {took}{tries}")
        echo(f"    inputs: {json.dumps(s.inputs, default=str, ensure_ascii=False)}")
        echo(f"    output: {json.dumps(s.output, default=str, ensure_ascii=False)}")
        if s.error:
            echo(f"    error: {s.error.get('message')}")
        for line in s.logs:
            echo(f"    log {line.get('level')}: {line.get('message')}")
    return 0


def _as_dict(record: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(record)
