"""The ``flowdeck`` command: the app when there is no command (or only workflow files), else the headless CLI.

The engine never imports the GUI; this launcher sits on the GUI side and hands ``engine.cli.main`` the way to open
the app, so ``flowdeck``, ``flowdeck FILE.yaml`` and ``flowdeck open FILE`` open the window while every other
command runs exactly as ``python -m engine`` runs it.
"""

from __future__ import annotations

import os
import sys

from engine.cli.main import HEADLESS_HINT
from engine.cli.main import entry as cli_entry


def has_display() -> bool:
    """Whether a GUI can open here (Linux needs an X or Wayland display, or an explicit Qt platform)."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_app(argv: list[str]) -> int:
    """Start the app with ``argv`` (files, --minimized, --autostart), or say in one line why it cannot open."""
    if not has_display():
        print(
            f"flowdeck: no display found (DISPLAY is not set), so the app cannot open; "
            f"these commands work without one: {HEADLESS_HINT}",
            file=sys.stderr,
        )
        return 1
    from gui.app import main as gui_main

    return gui_main(argv)


def entry() -> None:
    """The console script ``flowdeck`` (and the bundle's executable)."""
    cli_entry(open_app=open_app)


if __name__ == "__main__":
    entry()
