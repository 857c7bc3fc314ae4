"""Render the Workflows page under the banner of triggers that are not armed, for docs/app.md.

    .venv/bin/python tools/banner_screenshot.py [--dark] [--out FOLDER]   # docs/images/banner-not-armed.png
    # QT_SCALE_FACTOR=2 for 200 %

Starts its own Xvfb (no window manager) and, on it, the real app's controller with the shipped examples as a new
user's workspace, while a second X client holds ctrl+alt+i: the hotkey of "Stamp the invoice" is taken, and its
window trigger finds no window manager, so the banner lists both.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_HOME = tempfile.mkdtemp(prefix="flowdeck-shots-")
for _var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())
os.environ["HOME"] = _HOME  # paths read ~/Flowdeck as on a person's machine
SIZE = (1280, 520)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(app, until, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def main(argv: list[str]) -> int:
    from tests.support.xdisplay import start_xvfb

    x = start_xvfb("1600x1000x24")
    os.environ.update(DISPLAY=x.display, QT_QPA_PLATFORM="xcb")
    os.environ.pop("WAYLAND_DISPLAY", None)
    from Xlib import X, display

    other = display.Display(x.display)  # another program holding ctrl+alt+i
    other.screen().root.grab_key(other.keysym_to_keycode(ord("i")), X.ControlMask | X.Mod1Mask, True,
                                 X.GrabModeAsync, X.GrabModeAsync)  # fmt: skip
    other.sync()
    try:
        return _shoot(argv)
    finally:
        other.close()
        x.proc.terminate()


def _shoot(argv: list[str]) -> int:
    from gui.app import create_application
    from gui.shell.controller import AppController
    from gui.shell.settings import Settings
    from gui.shell.tray import Tray

    ws = Path(_HOME) / "Flowdeck"
    ws.mkdir()
    (Path(_HOME) / "Downloads").mkdir()
    for example in sorted((ROOT / "resources" / "examples").glob("*.yaml")):
        (ws / example.name).write_text(example.read_text())
    app = create_application()
    Tray.available = staticmethod(lambda: True)  # no tray here; the app would ask "quit or minimise?"
    theme = "dark" if "--dark" in argv else "light"
    settings = Settings(workspace=str(ws), webhook_port=_free_port(), tray_hint_shown=True, theme=theme)
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else ROOT / "docs" / "images"
    controller = AppController(app, None, settings)
    controller.start()
    every = len(list(ws.glob("*.yaml")))
    _wait(app, lambda: controller.service is not None and len(controller.dashboard.rows) == every, 30)
    _wait(app, lambda: controller.not_armed_banner.isVisible(), 10)
    _wait(app, lambda: False, 1.0)
    window = controller.window
    free = window.screen().availableGeometry()  # at 200 % the screen is half as wide: the lines wrap there
    window.resize(min(SIZE[0], free.width()), min(SIZE[1], free.height()))
    _wait(app, lambda: False, 0.8)
    out.mkdir(parents=True, exist_ok=True)
    name = "banner-not-armed.png"
    window.grab().save(str(out / name))
    print(f"wrote {out / name}")
    controller.quitting = True
    controller.service.stop(0)
    controller.engine.shutdown(1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
