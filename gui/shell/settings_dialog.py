"""File ▸ Settings: workspace, workers, notifications, start at login, start minimised, theme."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.shell.settings import THEMES, Settings


class SettingsDialog(QDialog):
    """Edits a copy of the settings; ``result_settings()`` gives the edited ones after Save."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Flowdeck Settings")
        self._original = settings
        self.workspace = QLineEdit(str(settings.workspace_path))
        self.workspace.setObjectName("workspace")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.workspace, 1)
        where.addWidget(browse)
        self.workers = QSpinBox()
        self.workers.setRange(1, 32)
        self.workers.setValue(settings.workers)
        self.workers.setToolTip("How many runs may go at the same time")
        self.notify_failure = QCheckBox("When a run &fails")
        self.notify_failure.setChecked(settings.notify_failure)
        self.notify_success = QCheckBox("When a run s&ucceeds")
        self.notify_success.setChecked(settings.notify_success)
        self.start_at_login = QCheckBox("Start Flowdeck when I &log in")
        self.start_at_login.setChecked(settings.start_at_login)
        self.start_minimized = QCheckBox("Start &minimised to the tray")
        self.start_minimized.setChecked(settings.start_minimized)
        self.theme = QComboBox()
        for name in THEMES:
            self.theme.addItem(name.capitalize(), name)
        self.theme.setCurrentIndex(max(0, THEMES.index(settings.theme)))
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b")
        self.problem.setWordWrap(True)
        form = QFormLayout()
        folder_label = QLabel("&Workspace folder:")
        folder_label.setBuddy(self.workspace)  # a row of a layout has no buddy of its own: Alt+W goes to the field
        form.addRow(folder_label, where)
        form.addRow("&Runs at the same time:", self.workers)
        form.addRow("Notify me:", self.notify_failure)
        form.addRow("", self.notify_success)
        form.addRow("Start-up:", self.start_at_login)
        form.addRow("", self.start_minimized)
        form.addRow("T&heme:", self.theme)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.workspace.textChanged.connect(self._check)
        self.setMinimumWidth(520)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Workspace folder", self.workspace.text())
        if folder:
            self.workspace.setText(folder)

    def _check(self) -> bool:
        text = self.workspace.text().strip()
        path = Path(text).expanduser()
        message = ""
        if not text:
            message = "Choose a workspace folder: Flowdeck keeps your workflows there."
        elif path.exists() and not path.is_dir():
            message = f"{path} is a file, not a folder."
        self.problem.setText(message)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not message)
        return not message

    def _save(self) -> None:
        if self._check():
            self.accept()

    def result_settings(self) -> Settings:
        return self._original.with_(
            workspace=str(Path(self.workspace.text().strip()).expanduser()),
            workers=self.workers.value(),
            notify_failure=self.notify_failure.isChecked(),
            notify_success=self.notify_success.isChecked(),
            start_at_login=self.start_at_login.isChecked(),
            start_minimized=self.start_minimized.isChecked(),
            theme=self.theme.currentData(),
        )
