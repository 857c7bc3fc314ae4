"""What the service knows about each workflow file, what it tells listeners, and file-change plumbing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from watchdog.events import EVENT_TYPE_CLOSED_NO_WRITE, EVENT_TYPE_OPENED, FileSystemEventHandler

from engine.model.workflow import Trigger, Workflow

SUFFIXES = (".yaml", ".yml", ".flow")


@dataclass
class ServiceEvent:
    kind: str  # workflow_added/changed/removed/invalid, armed, disarmed, paused, resumed, skipped, caught_up, error,
    # not_armed (a desktop trigger that cannot be armed: its message says why)
    path: Path | None = None
    message: str = ""


@dataclass
class WorkflowInfo:
    path: Path
    name: str
    enabled: bool
    triggers: list[str]
    next_run: datetime | None
    problems: list[str]
    valid: bool
    webhook_url: str | None = None


@dataclass
class Entry:
    path: Path
    workflow: Workflow | None
    problems: list[str]
    mtime: float
    jobs: list[tuple[str, str]] = field(default_factory=list)  # (APScheduler job id, schedule key)
    hooks: list[str] = field(default_factory=list)
    plan: Any = None  # the compiled, frozen plan of this version of the file


def is_workflow(path: Path) -> bool:
    return path.suffix in SUFFIXES and not path.name.startswith(".")


def hook_name(path: Path, trigger: Trigger) -> str:
    """The URL name of a webhook trigger: its ``path`` option, else the file name."""
    return str(trigger.options.get("path") or re.sub(r"[^A-Za-z0-9_\-]", "-", path.stem))


# a file opened or closed unwritten has not changed: each run reads its file (the history keeps the version it ran)
_READS = (EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE)


class Changes(FileSystemEventHandler):
    def __init__(self, callback: Callable[[], None]) -> None:
        self._callback = callback

    def on_any_event(self, event: Any) -> None:
        if event.event_type not in _READS:
            self._callback()
