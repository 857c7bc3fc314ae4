"""Start the Flowdeck app: one instance per user, hosting the engine service for its whole life."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import engine

APP_ID = "io.github.flowdeck.Flowdeck"


def create_application(argv: list[str] | None = None):  # -> QApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["flowdeck", *(argv or [])])
    app.setApplicationName("Flowdeck")
    app.setOrganizationName("Flowdeck")
    app.setApplicationVersion(engine.__version__)
    app.setDesktopFileName(APP_ID)
    return app


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flowdeck", add_help=False)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--minimized", action="store_true", help="start in the tray, window hidden")
    parser.add_argument("--autostart", action="store_true", help="started at login (obeys 'start minimised')")
    args, _unknown = parser.parse_known_args(argv)  # Qt's own options (-platform ...) pass through
    args.files = [str(Path(f).expanduser().resolve()) for f in args.files]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from gui.shell.instance import SingleInstance  # (PySide6 is imported here)
    from gui.shell.memory import keep_no_source

    keep_no_source()

    instance = SingleInstance()
    if not instance.lock():  # another Flowdeck runs: hand it our request and leave
        if not args.files and (args.minimized or args.autostart):
            return 0  # it already runs in the tray, which is all a start at login asks for
        if instance.send({"action": "open" if args.files else "show", "files": args.files}):
            return 0
        print(
            f"flowdeck: another Flowdeck holds {instance.lock_path} but does not answer; "
            "if it hangs, end it and start again",
            file=sys.stderr,
        )
        return 1
    from gui.launch import has_display

    if not has_display():
        instance.release()
        print("flowdeck: no display found (DISPLAY is not set), so the app cannot open", file=sys.stderr)
        return 1
    from gui.shell.logs import setup_logging

    setup_logging()
    app = create_application([])
    finder = _file_open_relay(app)  # (later launches are served once the window has painted: controller.start)
    from gui.shell.controller import AppController
    from gui.shell.icons import app_icon
    from gui.shell.settings import load_settings

    app.setWindowIcon(app_icon())
    settings = load_settings()
    controller = AppController(app, instance, settings)
    minimized = args.minimized or (args.autostart and settings.start_minimized)
    controller.start(args.files, minimized=minimized)
    if finder is not None:
        finder.deliver_to(controller.open_file)
    _mark_first_paint(controller)
    return app.exec()


def _file_open_relay(app):  # -> FileOpenRelay | None
    """macOS: files opened in Finder arrive as events, not arguments (Qt sends them there only). Elsewhere no filter
    on the whole app: it would cost every event a Python call, and the first one ~35 ms of PySide6 making the
    Python types it had left for later (measured on the path to the first paint)."""
    if sys.platform != "darwin":
        return None
    from gui.shell.fileopen import FileOpenRelay

    return FileOpenRelay(app)


def _mark_first_paint(controller) -> None:
    """For benchmarks/bench_app.py: write the time of the window's first paint to $FLOWDECK_STARTUP_MARK."""
    mark = os.environ.get("FLOWDECK_STARTUP_MARK")
    if not mark or controller.window is None:
        return
    import time

    from PySide6.QtCore import QEvent, QObject

    class _Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                Path(mark).write_text(f"{time.time():.6f}\n")
                watched.removeEventFilter(self)
            return False

    controller._paint_mark = _Painted(controller)
    controller.window.installEventFilter(controller._paint_mark)


if __name__ == "__main__":
    sys.exit(main())
