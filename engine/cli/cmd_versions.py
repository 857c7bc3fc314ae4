"""``flowdeck versions WORKFLOW``: the kept versions of a workflow file, one version's text, or what changed."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from engine.cli.output import echo

HELP = "list the kept versions of a workflow file, show one (--show N) or what changed (--diff A B)"


def version_number(text: str) -> int:
    """``3`` or ``v3``; anything else is a usage error (exit 2)."""
    digits = text[1:] if text[:1] in ("v", "V") else text
    if not digits.isdigit() or int(digits) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a version number (1, 2... or v1, v2...)")
    return int(digits)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workflow", metavar="WORKFLOW", help="the workflow file")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--show", type=version_number, metavar="N", help="print version N's text")
    what.add_argument(
        "--diff", nargs=2, type=version_number, metavar=("A", "B"), help="what changed from version A to version B"
    )
    parser.add_argument("--limit", type=int, default=50, metavar="N", help="how many versions to list (default 50)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def main(args: argparse.Namespace) -> int:
    from engine.versions.store import VersionStore

    store = VersionStore()
    try:
        if args.show is not None:
            return _show(store, args.workflow, args.show, args.json)
        if args.diff is not None:
            return _diff(store, args.workflow, *args.diff, as_json=args.json)
        return _list(store, args.workflow, args.limit, args.json)
    finally:
        store.close()


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def _list(store: Any, workflow: str, limit: int, as_json: bool) -> int:
    versions = store.versions(workflow, limit=limit)
    if as_json:
        print(json.dumps([v.as_dict() for v in versions], indent=2))
        return 0
    if not versions:
        where = "" if Path(workflow).is_file() else " (and there is no such file)"
        echo(f"no versions kept of {workflow}{where}")
        return 0
    width = len(versions[0].label)
    for v in versions:
        echo(f"{v.label:>{width}}  {_when(v.saved)}  {v.source:<4} {v.summary}")
    return 0


def _get(store: Any, workflow: str, number: int) -> Any:
    version = store.get(workflow, number)
    if version is None:
        kept = store.versions(workflow)
        have = f"it has v{kept[-1].number}-v{kept[0].number}" if kept else "none are kept"
        echo(f"flowdeck versions: {workflow} has no version {number} ({have})", file=sys.stderr)
    return version


def _show(store: Any, workflow: str, number: int, as_json: bool) -> int:
    version = _get(store, workflow, number)
    if version is None:
        return 1
    text = store.text(version)
    if as_json:
        print(json.dumps({**version.as_dict(), "text": text}, indent=2))
    else:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    return 0


def _diff(store: Any, workflow: str, a: int, b: int, *, as_json: bool) -> int:
    from engine.versions.diff import compare, text_diff

    old, new = _get(store, workflow, a), _get(store, workflow, b)
    if old is None or new is None:
        return 1
    old_text, new_text = store.text(old), store.text(new)
    change = compare(old_text, new_text)
    text = text_diff(old_text, new_text, old.label, new.label)
    if as_json:
        print(json.dumps({"a": a, "b": b, **change.as_dict(), "text": text}, indent=2))
        return 0
    echo(f"{old.label} ({_when(old.saved)}) -> {new.label} ({_when(new.saved)}): {change.line()}")
    for label, items in (
        ("added", [f"{sid} ({block})" for sid, block in change.added.items()]),
        ("removed", [f"{sid} ({block})" for sid, block in change.removed.items()]),
        ("changed", [f"{sid}: {', '.join(keys)}" for sid, keys in change.changed.items()]),
        ("moved", change.moved),
        ("workflow", change.workflow),
    ):
        for item in items:
            echo(f"  {label + ':':<9} {item}")
    if text:
        echo()
        echo(text, end="")
    return 0
