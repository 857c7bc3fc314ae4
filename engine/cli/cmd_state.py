"""``flowdeck state``: list the values workflows saved between runs (state.set, state.increment, http.changed), or
forget them."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HELP = "list the values workflows saved between runs (flowdeck state [WORKFLOW]) or forget them (--clear)"
PROG = "flowdeck state"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "workflow", nargs="?", metavar="WORKFLOW", help="only this workflow: its file, or its name (all without one)"
    )
    parser.add_argument("--key", metavar="K", help="only the value saved under K")
    parser.add_argument("--clear", action="store_true", help="forget the values of WORKFLOW (only K with --key)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--broker", metavar="URL", help="the values kept in this Redis server (redis://HOST:PORT/DB) "
                        "by runs on workers, instead of this machine's (docs/scaling.md)")  # fmt: skip


def _usage(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 1


def main(args: argparse.Namespace) -> int:
    from engine.errors import StepError
    from engine.runtime.state import StateDB

    if args.clear and not args.workflow:
        return _usage("--clear needs the WORKFLOW whose values to forget (its file or its name)")
    db = _broker_db(args.broker) if args.broker else StateDB.default()
    if db is None:
        return 1
    try:
        workflows = _workflows(db, args.workflow) if args.workflow else None
        if workflows == []:
            return _fail(f"no saved values for {args.workflow!r} (neither a workflow name nor a file)")
        if args.clear:
            return _clear(db, args, workflows or [])
        entries = [e for e in db.entries(workflows) if args.key is None or e.key == args.key]
        _print(entries, args.json)
        return 0
    except StepError as exc:
        return _fail(str(exc).removeprefix("state: "))
    finally:
        db.close()


def _broker_db(url: str) -> Any:
    """The saved values in the broker's Redis (imported only with --broker), or None (said in one line)."""
    from engine.distributed import broker as b

    try:
        b.require()
        client = b.redis_client(b.check_url(url))
        b.reach(client, url)
    except b.BrokerError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return None
    from engine.distributed.store import RedisStateDB

    return RedisStateDB(client)


def _workflows(db: Any, given: str) -> list[str]:
    """The identities ``given`` names: a workflow file (also one that is gone, if it has saved values), or the name
    of workflows that have saved values."""
    if hasattr(db, "client"):  # the broker's values: known by the file's identity in the workspace
        return _broker_workflows(db, given)
    path = Path(given).expanduser()
    resolved = str(path.resolve())
    if path.is_file() or db.entries([resolved]):
        return [resolved]
    return db.workflows_named(given)


def _broker_workflows(db: Any, given: str) -> list[str]:
    """A file (by its identity in the default workspace, else by its full path) or a workflow name or file label."""
    from engine.distributed.message import identity
    from engine.scheduling.workspace import default_workspace

    path = Path(given).expanduser()
    if path.is_file():
        for root in (Path.cwd(), default_workspace(), None):
            ident = identity(path, root)
            if (root is None or path.resolve().is_relative_to(root.resolve())) and db.entries([ident]):
                return [ident]
    return db.workflows_named(given)


def _clear(db: Any, args: argparse.Namespace, workflows: list[str]) -> int:
    if len(workflows) > 1:
        files = ", ".join(workflows)
        return _fail(f"{len(workflows)} workflows are named {args.workflow!r} ({files}); name the file to clear")
    count = db.clear(workflows[0], args.key)
    noun = "saved value" if count == 1 else "saved values"
    which = f" '{args.key}'" if args.key else ""
    print(f"forgot {count} {noun}{which} of {args.workflow}")
    return 0


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def _print(entries: list[Any], as_json: bool) -> None:
    if as_json:
        rows = [
            {"workflow": e.workflow, "path": e.path, "key": e.key, "value": e.value, "set_at": _iso(e.set_at)}
            for e in entries
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not entries:
        print("no saved values")
        return
    shown = None
    for e in entries:
        if (e.workflow, e.path) != shown:
            shown = (e.workflow, e.path)
            print(f"{e.workflow} ({e.path})")
        print(f"  {e.key} = {json.dumps(e.value, ensure_ascii=False)}  (set {_when(e.set_at)})")


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(t))
