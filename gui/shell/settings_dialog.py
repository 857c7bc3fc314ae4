"""File ▸ Settings: workspace, workers, notifications, start at login, start minimised, theme, and the app as a
worker of a daemon's broker (gui/shell/broker_worker.py)."""

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
        self._worker_fields(settings)
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
        form.addRow("Broker:", self.broker_worker)
        form.addRow("&Broker URL:", self.broker_url)
        form.addRow("More &tags:", self.broker_tags)
        form.addRow("Broker runs &at a time:", self.broker_workers)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for changed in (self.workspace.textChanged, self.broker_url.textChanged, self.broker_tags.textChanged):
            changed.connect(self._check)
        self.broker_worker.toggled.connect(self._worker_toggled)
        self._worker_toggled(settings.broker_worker)
        self.setMinimumWidth(520)

    def _worker_fields(self, settings: Settings) -> None:
        self.broker_worker = QCheckBox("Run &desktop jobs for a broker")
        self.broker_worker.setChecked(settings.broker_worker)
        self.broker_worker.setToolTip("Take the runs with Desktop blocks (keys, mouse, windows, ask) that a "
                                      "flowdeck daemon --broker sends, and run them on this desktop")  # fmt: skip
        self.broker_url = QLineEdit(settings.broker_url)
        self.broker_url.setObjectName("broker_url")
        self.broker_url.setPlaceholderText("redis://HOST:PORT/DB (the daemon's --broker)")
        self.broker_tags = QLineEdit(settings.broker_tags)
        self.broker_tags.setPlaceholderText("office, windows (desktop is always one)")
        self.broker_workers = QSpinBox()
        self.broker_workers.setRange(1, 32)
        self.broker_workers.setValue(settings.broker_workers)
        self.broker_workers.setToolTip("How many of the broker's runs may go at the same time on this desktop")

    def _worker_toggled(self, on: bool) -> None:
        for field in (self.broker_url, self.broker_tags, self.broker_workers):
            field.setEnabled(on)
        self._check()

    def _worker_problem(self) -> str:
        """What is wrong with the worker's fields (only when it is on), or ""."""
        if not self.broker_worker.isChecked():
            return ""
        from engine.cli.cmd_worker import bad_tag
        from engine.distributed.broker import BrokerError, check_url

        url = self.broker_url.text().strip()
        if not url:
            return "Give the broker's URL (the one the daemon was started with: --broker redis://HOST:PORT/DB)."
        try:
            check_url(url)
        except BrokerError as exc:
            return str(exc).replace("--broker ", "Broker URL ", 1)
        tag = bad_tag(self.broker_tags.text())
        return f"{tag!r} is not a tag (letters, digits, _ . -)" if tag is not None else ""

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
        message = message or self._worker_problem()
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
            broker_worker=self.broker_worker.isChecked(),
            broker_url=self.broker_url.text().strip(),
            broker_tags=", ".join(t.strip() for t in self.broker_tags.text().split(",") if t.strip()),
            broker_workers=self.broker_workers.value(),
        )
