"""The main window."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

import engine


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Flowdeck")
        self.resize(1100, 720)
        placeholder = QLabel(f"Flowdeck {engine.__version__}")
        self.setCentralWidget(placeholder)
