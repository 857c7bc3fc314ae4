"""``flowdeck status [DIR]``: who runs the workspace, and each workflow's triggers in words, next run, state, problems.

It only reads: the files, the saved flags and the workspace lock (probed, never taken), so it never arms anything.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

HELP = "show who runs DIR (default: the workspace) and the triggers and next run of every workflow in it"
SOON = 3600  # seconds: a next run closer than this is shown to the second ("in 4 min 12 s (08:00:00)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", metavar="DIR", help="workspace folder of workflow files")
    parser.add_argument("--json", action="store_true", help="print the status as one JSON object")


def next_run_text(when: datetime | None, now: datetime) -> str:
    """``in 4 min 12 s (08:00:00)`` within the hour, else ``2026-03-01 08:00 CET``; ``-`` when there is none."""
    if when is None:
        return "-"
    delta = round((when - now).total_seconds())
    if 0 <= delta < SOON:
        minutes, seconds = divmod(delta, 60)
        left = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
        return f"in {left} ({when:%H:%M:%S})"
    return when.strftime("%Y-%m-%d %H:%M %Z")


def _state(info: Any) -> str:
    if not info.valid:
        return "invalid"
    return "enabled" if info.enabled else "disabled"


def _run_by(holder: Any) -> str:
    return f"run by {holder.describe()}" if holder else "not running: nothing fires"


def main(args: argparse.Namespace) -> int:
    from engine.cli.output import echo
    from engine.scheduling.service import Service
    from engine.scheduling.workspace import default_workspace

    workspace = Path(args.dir).expanduser() if args.dir else default_workspace()
    if not workspace.is_dir():
        echo(f"flowdeck status: {workspace}: no such folder", file=sys.stderr)
        return 1
    logging.getLogger("flowdeck").addHandler(logging.NullHandler())  # the problems are printed below, not logged
    service = Service(workspace, webhook_port=None)
    service.rescan()  # reads the files and the saved flags without starting anything
    holder, infos = service.run_by(), sorted(service.workflows(), key=lambda i: i.path.name)
    now = service.clock.now()
    if args.json:
        print(json.dumps(_as_json(workspace, service.paused, holder, infos), indent=2, ensure_ascii=False))
        return 0
    echo(f"workspace: {workspace}{'  (all paused)' if service.paused else ''}")
    echo(_run_by(holder))
    for info in infos:
        echo(f"\n{info.path.name}  [{_state(info)}]  {info.name}")
        for text in info.triggers:
            echo(f"  trigger: {text}")
        if info.valid:
            echo(f"  next run: {next_run_text(info.next_run, now)}")
        for problem in info.problems:
            echo(f"  problem: {problem}")
    return 0


def _as_json(workspace: Path, paused: bool, holder: Any, infos: list[Any]) -> dict[str, Any]:
    return {
        "workspace": str(workspace),
        "paused": paused,
        "run_by": asdict(holder) if holder else None,
        "workflows": [
            {
                "file": info.path.name,
                "path": str(info.path),
                "name": info.name,
                "state": _state(info),
                "triggers": info.triggers,
                "next_run": info.next_run.isoformat() if info.next_run else None,
                "problems": info.problems,
                "webhook_url": info.webhook_url,
            }
            for info in infos
        ],
    }
