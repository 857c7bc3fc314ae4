"""Start the Flowdeck app."""

from __future__ import annotations

import sys

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


def main(argv: list[str] | None = None) -> int:
    from gui.mainwindow import MainWindow

    app = create_application(argv if argv is not None else sys.argv[1:])
    window = MainWindow()
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
