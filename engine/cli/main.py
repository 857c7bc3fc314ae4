"""``flowdeck``: with no command it opens the app; commands run headless.

Each command lives in a module ``engine/cli/cmd_<name>.py`` that defines ``HELP``,
``add_arguments(parser)`` and ``main(args) -> int``; this file finds them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

import engine

HEADLESS_HINT = "flowdeck run FILE, flowdeck validate FILE, flowdeck daemon DIR, flowdeck history"


def _commands() -> dict[str, object]:
    import engine.cli as pkg

    found = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("cmd_"):
            found[info.name[4:]] = importlib.import_module(f"engine.cli.{info.name}")
    return dict(sorted(found.items()))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowdeck",
        description="Flowdeck: build automations on a canvas and let them run on their own. "
        "With no command, the app opens.",
    )
    parser.add_argument("--version", action="version", version=f"flowdeck {engine.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in _commands().items():
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)  # type: ignore[attr-defined]
        module.add_arguments(cmd)  # type: ignore[attr-defined]
        cmd.set_defaults(_module=module)
    return parser


def has_display() -> bool:
    """Whether a GUI can open here (Linux needs an X or Wayland display, or an explicit Qt platform)."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_app(argv: list[str]) -> int:
    if not has_display():
        print(
            f"flowdeck: no display found (DISPLAY is not set), so the app cannot open; "
            f"these commands work without one: {HEADLESS_HINT}",
            file=sys.stderr,
        )
        return 2
    from gui.app import main as gui_main

    return gui_main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or (argv[0].startswith("--") and argv[0] not in ("--help", "--version")):
        return open_app(argv)
    args = build_parser().parse_args(argv)
    if args.command is None:
        return open_app([])
    try:
        return int(args._module.main(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    sys.exit(main())
