"""``flowdeck status [DIR]``: each workflow's triggers in words, next run, enabled/paused, problems."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "show the triggers and next run of every workflow in DIR (default: the workspace)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", metavar="DIR", help="workspace folder of workflow files")


def main(args: argparse.Namespace) -> int:
    from engine.scheduling.service import Service
    from engine.scheduling.workspace import default_workspace

    workspace = Path(args.dir).expanduser() if args.dir else default_workspace()
    if not workspace.is_dir():
        print(f"flowdeck status: {workspace}: no such folder")
        return 1
    service = Service(workspace, webhook_port=None)
    service.rescan()  # reads the files and the saved flags without starting anything
    print(f"workspace: {workspace}{'  (all paused)' if service.paused else ''}")
    for info in service.workflows():
        state = "enabled" if info.enabled else "disabled"
        nxt = info.next_run.strftime("%Y-%m-%d %H:%M %Z") if info.next_run else "-"
        print(f"\n{info.path.name}  [{state}]  {info.name}")
        for text in info.triggers:
            print(f"  trigger: {text}")
        print(f"  next run: {nxt}")
        for problem in info.problems:
            print(f"  problem: {problem}")
    return 0
