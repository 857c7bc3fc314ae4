"""The workspace folder itself for the service: watched for changes, looked at every few seconds, and when it is
removed everything in it is disarmed until it comes back (docs/triggers.md, "The workspace folder").

A mixin of engine.scheduling.service.Service, which owns the state it uses.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.scheduling.entries import Changes, Entry
from engine.scheduling.loading import folder_id
from engine.scheduling.workspace import shown

log = logging.getLogger("flowdeck.scheduling")


class WorkspaceFolder:
    """Watching the workspace folder, and disarming/re-arming all of it when it goes and comes back."""

    workspace: Path
    _lock: threading.RLock
    _entries: dict[Path, Entry]
    _observer: Any
    _watch: Any
    _folder: tuple[int, int] | None
    _gone: bool
    _stopping: bool
    _schedule_rescan: Callable[[], None]
    _drop: Callable[[Path], None]
    _emit: Callable[..., None]
    rescan: Callable[[], None]

    @property
    def workspace_problem(self) -> str:
        """The line that says the workspace folder was removed, while it is away; "" when it is there."""
        if not self._gone:
            return ""
        return f"the workspace {shown(self.workspace)} was removed; its workflows are disarmed until it comes back"

    def _watch_folder(self) -> None:
        """(Re)watch the workspace folder for changes: a folder made again is a new one to the OS."""
        if self._observer is None:
            return
        if self._watch is not None:
            try:
                self._observer.unschedule(self._watch)
            except Exception:  # its watch went with the removed folder
                log.debug("old workspace watch already gone", exc_info=True)
        self._watch = self._observer.schedule(Changes(self._schedule_rescan), str(self.workspace), recursive=False)

    def _check_workspace(self) -> None:
        """Every WORKSPACE_POLL s: disarm everything when the folder is gone, re-arm when it is back."""
        if self._stopping:
            return
        ident = folder_id(self.workspace)
        if ident is None:
            self._workspace_gone()
        elif self._gone or ident != self._folder:
            self._workspace_back(ident)

    def _workspace_gone(self) -> None:
        with self._lock:
            if self._gone or self._stopping:
                return
            self._gone = True
            for path in list(self._entries):
                self._drop(path)
        message = self.workspace_problem
        log.warning("%s", message)
        self._emit("workspace_removed", None, message)

    def _workspace_back(self, ident: tuple[int, int]) -> None:
        was_gone = self._gone
        self._folder = ident
        try:
            self._watch_folder()
        except Exception as exc:  # gone again at once: the next look tries again
            log.warning("cannot watch %s: %s", self.workspace, exc)
            self._folder = None
            return
        with self._lock:
            self._gone = False
        if was_gone:
            message = f"the workspace {shown(self.workspace)} is back; its workflows are armed again"
            log.info("%s", message)
            self._emit("workspace_back", None, message)
        self.rescan()
