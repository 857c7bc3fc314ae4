"""Help ▸ About Flowdeck: version, the versions underneath, and where the logs are."""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

import engine
from gui.shell.icons import app_icon


def about_text(log_folder: Path) -> str:
    import PySide6
    from PySide6.QtCore import qVersion

    return (
        f"<h2>Flowdeck {engine.__version__}</h2>"
        "<p>Build automations on a canvas and let them run on their own from the tray.</p>"
        f"<p>Python {platform.python_version()} · Qt {qVersion()} · PySide6 {PySide6.__version__}<br>"
        f"{platform.system()} {platform.release()}</p>"
        f"<p>Logs: <a href='{log_folder.as_uri()}'>{log_folder}</a></p>"
        "<p>MIT licence.</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, log_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Flowdeck")
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(about_text(log_folder))
        self.text.setOpenExternalLinks(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.text.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(logo)
        row.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
