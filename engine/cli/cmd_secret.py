"""``flowdeck secret set|list|delete NAME``: passwords and tokens in the OS keyring, never in workflow files.

The keyring cannot list what it holds, so the names (never the values) are kept in secrets.json in
Flowdeck's config folder.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from engine.runtime.secrets import KEYRING_SERVICE as SERVICE  # the keyring service runs read secrets from
from engine.runtime.secrets import NAME, elsewhere, keyring_problem

HELP = "store, list or delete secrets (passwords, tokens) in the system keyring"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    put = sub.add_parser("set", help="store a secret; the value is asked for (or read from standard input)")
    put.add_argument("name", help="the name workflows use, e.g. smtp_password")
    sub.add_parser("list", help="list the names of stored secrets")
    rm = sub.add_parser("delete", help="remove a stored secret")
    rm.add_argument("name")


def index_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("flowdeck", appauthor=False) / "secrets.json"


def read_index() -> list[str]:
    try:
        names = json.loads(index_path().read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return []
    return sorted({str(n) for n in names}) if isinstance(names, list) else []


def write_index(names: list[str]) -> None:
    from engine.io import atomic_write

    atomic_write(index_path(), (json.dumps(sorted(set(names)), indent=1) + "\n").encode("utf-8"), mode=0o600)


def main(args: argparse.Namespace) -> int:
    from keyring.errors import KeyringError

    try:
        if args.action == "list":
            return _list()
        if not NAME.match(args.name):
            print(f"flowdeck: secret name {args.name!r}: use letters, digits, _ . and - (start with a letter)",
                  file=sys.stderr)  # fmt: skip
            return 2
        problem = keyring_problem()
        if problem is not None:  # said before a value is asked for
            instead = (
                f"cannot be stored; {elsewhere(args.name)}" if args.action == "set" else "cannot be deleted from it"
            )
            print(f"flowdeck secret: {problem}, so '{args.name}' {instead}", file=sys.stderr)
            return 1
        return _set(args.name) if args.action == "set" else _delete(args.name)
    except KeyringError as exc:
        print(f"flowdeck secret: the system keyring cannot be used ({exc}); {elsewhere(args.name)}", file=sys.stderr)
        return 1


def _set(name: str) -> int:
    import keyring

    value = _read_value(name)
    if value is None:
        return 1
    keyring.set_password(SERVICE, name, value)
    write_index([*read_index(), name])
    print(f"secret '{name}' stored; use it as secret: {name} or {{{{ secrets.{name} }}}}")
    return 0


def _read_value(name: str) -> str | None:
    if sys.stdin.isatty():
        value = getpass.getpass(f"Value for '{name}' (not shown): ")
    else:
        value = sys.stdin.read()
        value = value[:-1] if value.endswith("\n") else value
        value = value[:-1] if value.endswith("\r") else value
    if not value:
        print("flowdeck: the value is empty; nothing stored", file=sys.stderr)
        return None
    return value


def _list() -> int:
    names = read_index()
    if not names:
        print("no secrets stored (add one with: flowdeck secret set NAME)")
    for name in names:
        print(name)
    return 0


def _delete(name: str) -> int:
    import keyring
    from keyring.errors import PasswordDeleteError

    known = read_index()
    try:
        keyring.delete_password(SERVICE, name)
    except PasswordDeleteError:
        if name not in known:
            print(f"flowdeck: no secret named '{name}'", file=sys.stderr)
            return 1
    write_index([n for n in known if n != name])
    print(f"secret '{name}' deleted")
    return 0
