"""``flowdeck COMMAND``: the headless commands (``python -m engine`` is this program).

Each command lives in a module ``engine/cli/cmd_<name>.py`` that defines ``HELP``, ``add_arguments(parser)`` and
``main(args) -> int``; this file finds them. The app is not part of the engine: the ``flowdeck`` script is
``gui.launch``, which hands ``main`` a way to open the app (``open_app``); ``python -m engine`` has none.

Exit codes: 0 done, 1 the work failed (a run failed, a file has errors or is missing), 2 usage (an unknown command
or option, a bad value), 130 interrupted, 141 the reader of the output went away.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path

import engine
from engine.cli.output import clean, pipe_closed, setup_streams

HEADLESS_HINT = "flowdeck run FILE, flowdeck validate FILE, flowdeck daemon DIR, flowdeck history"
APP_OPTIONS = ("--minimized", "--autostart")  # what the app itself takes (start at login passes --autostart)
OpenApp = Callable[[list[str]], int]


def command_names() -> list[str]:
    """Every command, from the modules ``engine/cli/cmd_<name>.py`` (none imported)."""
    import engine.cli as pkg

    return sorted(info.name[4:] for info in pkgutil.iter_modules(pkg.__path__) if info.name.startswith("cmd_"))


def _commands() -> dict[str, object]:
    return {name: importlib.import_module(f"engine.cli.cmd_{name}") for name in command_names()}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowdeck",
        description="Flowdeck: build automations on a canvas and let them run on their own. "
        "With no command (or only workflow files), the app opens.",
    )
    parser.add_argument("--version", action="version", version=f"flowdeck {engine.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in _commands().items():
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)  # type: ignore[attr-defined]
        module.add_arguments(cmd)  # type: ignore[attr-defined]
        cmd.set_defaults(_module=module)
    return parser


def wants_app(argv: list[str]) -> bool:
    """Whether ``argv`` asks for the app: nothing, the app's own options, or workflow files (the desktop's
    ``flowdeck %F``)."""
    if not argv or argv[0] in APP_OPTIONS:
        return True
    if argv[0] in command_names():
        return False
    return all(not w.startswith("-") and Path(w).is_file() for w in argv if w not in APP_OPTIONS)


def no_app(argv: list[str]) -> int:
    """What ``python -m engine`` says when asked for the app."""
    print(
        f"flowdeck: the app is started with the 'flowdeck' command; here only the headless commands work: "
        f"{HEADLESS_HINT}",
        file=sys.stderr,
    )
    return 2


def main(argv: list[str] | None = None, open_app: OpenApp | None = None) -> int:
    """Run one command (or open the app with ``open_app``); returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    app = open_app or no_app
    if wants_app(argv):
        return app(argv)
    args = build_parser().parse_args(argv)  # a usage error exits with 2 and argparse's message
    if args.command is None:
        return app([])
    args.open_app = app
    try:
        return int(args._module.main(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise
    except Exception as exc:  # never a traceback: one line that says what went wrong
        print(f"flowdeck {args.command}: {_describe(exc)}", file=sys.stderr)
        return 1


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return clean(f"{where}{exc.strerror}")
    text = str(exc).strip().splitlines()
    message = text[0] if text else ""
    return clean(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


def entry(open_app: OpenApp | None = None) -> None:
    """The program: safe streams, the command, and a quiet exit when the reader of the output went away."""
    setup_streams()
    try:
        try:
            code = main(sys.argv[1:], open_app)
        except SystemExit as done:  # argparse's --help, --version and usage errors
            code = done.code
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = pipe_closed()
    sys.exit(code)
