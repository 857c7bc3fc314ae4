"""Building the engine side the app hosts: the engine (with its history) and the scheduling service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gui.shell.settings import Settings


def make_engine(settings: Settings, host: Any) -> Any:
    """The engine every run of the app goes through; runs are recorded in the user's history
    database and keep their saved values in the user's state database (shared with the command and the daemon)."""
    from engine.runtime import Engine
    from engine.runtime.history import History, default_history_path
    from engine.runtime.state import StateDB

    history = History(default_history_path())
    return Engine(workers=settings.workers, host=host, history=history, isolation="process", state=StateDB.default())


def start_service(settings: Settings, engine: Any, listen: Callable[[Any], None] | None = None) -> Any:
    """Scheduler, file watchers and webhooks over the workspace, running in their own threads.

    ``listen(service)`` is called before the service starts, so that what starting reports (a desktop trigger
    that cannot be armed) reaches the app. Raises engine.scheduling.lock.WorkspaceBusy when another process
    (``flowdeck daemon``) runs the workspace."""
    from engine.scheduling.service import Service

    settings.workspace_path.mkdir(parents=True, exist_ok=True)
    service = Service(
        settings.workspace_path, engine=engine, workers=settings.workers, webhook_port=settings.webhook_port
    )
    if listen is not None:
        listen(service)
    service.start()
    return service


def run_by(settings: Settings) -> Any:
    """Who runs the settings' workspace now (an engine.scheduling.lock.Holder), or None; only reads the lock."""
    from engine.scheduling.service import run_by

    return run_by(settings.workspace_path)


def history_reader() -> Any:
    """A history connection of the GUI thread's own (SQLite connections stay on the thread that made them)."""
    from engine.runtime.history import History, default_history_path

    return History(default_history_path())
