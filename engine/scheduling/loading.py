"""Reading the workspace for the service: which workflow files it holds, and one file read into an Entry.

Both run outside the service's lock (a huge file must not hold up the fires of the others), and reading a file
never raises: whatever goes wrong with one file makes that file invalid, with one line that names it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.io import read_file
from engine.scheduling.entries import Entry, is_workflow

MAX_ERROR_CHARS = 300  # an exception's text in a problem line is cut here: it is one line, not a dump
WORKSPACE_POLL = 2.0  # seconds between two looks at whether the workspace folder is still there (or back)


def listing(workspace: Path) -> dict[Path, float]:
    """Every workflow file of ``workspace`` (resolved) with its mtime; OSError when the folder cannot be listed."""
    found: dict[Path, float] = {}
    for path in workspace.iterdir():
        if not is_workflow(path):
            continue
        try:
            if path.is_file():
                found[path.resolve()] = path.stat().st_mtime
        except OSError:
            continue  # removed while we looked; the next rescan drops it
    return found


def folder_id(folder: Path) -> tuple[int, int] | None:
    """The folder's identity (device, inode): a folder removed and made again is another one; None when absent."""
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if Path(folder).is_dir() else None


def read_entry(path: Path, mtime: float, plan: Callable[[Any], Any]) -> Entry:
    """``path`` read, validated and compiled with ``plan``; any failure gives an invalid entry, never an exception."""
    try:
        workflow, problems = read_file(path)
        errors = [str(p) for p in problems if getattr(p, "severity", "error") == "error"]
    except Exception as exc:  # a loader or a block's declaration that raises must not stop the service
        return Entry(path, None, [f"{path.name}: could not be loaded: {one_line(exc)}"], mtime)
    compiled: Any = None
    if workflow is not None and not errors:
        try:
            compiled = plan(workflow)  # compiled once per file version: fires start without compiling
        except Exception as exc:
            errors.append(f"{path.name}: {one_line(exc)}")
    return Entry(path, workflow if not errors else None, errors, mtime, plan=compiled)


def one_line(exc: BaseException) -> str:
    """``OverflowError: int too large`` on one line, cut at MAX_ERROR_CHARS."""
    text = " ".join(str(exc).split()) or "(no message)"
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {text}"


class Ticker:
    """Calls ``fn`` every ``interval`` seconds on a thread of its own until stopped; an error in ``fn`` is logged."""

    def __init__(self, interval: float, fn: Callable[[], None], name: str, log: Any) -> None:
        self._interval = interval
        self._fn = fn
        self._log = log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._fn()
            except Exception:  # the look goes on at the next tick
                self._log.exception("the workspace check failed")
