"""The app's settings, kept in QSettings (an INI file in the user's config folder on Linux)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from PySide6.QtCore import QSettings

THEMES = ("system", "light", "dark")


def default_workspace() -> Path:
    from platformdirs import user_documents_path

    return user_documents_path() / "Flowdeck"


@dataclass(frozen=True)
class Settings:
    workspace: str = ""
    workers: int = 4
    notify_failure: bool = True
    notify_success: bool = False
    start_at_login: bool = False
    start_minimized: bool = False
    theme: str = "system"
    tray_hint_shown: bool = False
    webhook_port: int = 8765  # not in the dialog; the service's webhook server listens on 127.0.0.1 here
    broker_worker: bool = False  # take runs with Desktop blocks from a daemon's broker (gui/shell/broker_worker.py)
    broker_url: str = ""
    broker_tags: str = ""  # more tags than 'desktop', comma-separated
    broker_workers: int = 1  # broker runs at the same time (each asks the one person at this desktop)

    @property
    def workspace_path(self) -> Path:
        return Path(self.workspace).expanduser() if self.workspace else default_workspace()

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)


def qsettings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Flowdeck", "Flowdeck")


def load_settings(store: QSettings | None = None) -> Settings:
    """Read every field; a missing or unreadable value falls back to its default."""
    store = store or qsettings()
    base = Settings()
    values: dict[str, object] = {}
    for f in fields(Settings):
        default = getattr(base, f.name)
        raw = store.value(f.name, default)
        values[f.name] = _coerce(raw, default)
    settings = Settings(**values)  # type: ignore[arg-type]
    if settings.theme not in THEMES:
        settings = settings.with_(theme="system")
    return settings.with_(
        workers=min(max(settings.workers, 1), 32),
        webhook_port=min(max(settings.webhook_port, 0), 65535),
        broker_workers=min(max(settings.broker_workers, 1), 32),
    )


def save_settings(settings: Settings, store: QSettings | None = None) -> None:
    store = store or qsettings()
    for f in fields(Settings):
        store.setValue(f.name, getattr(settings, f.name))
    store.sync()


def _coerce(raw: object, default: object) -> object:
    if isinstance(default, bool):
        return raw if isinstance(raw, bool) else str(raw).strip().lower() in ("true", "1", "yes", "on")
    if isinstance(default, int):
        try:
            return int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return default
    return "" if raw is None else str(raw)
