"""Crash recovery: unsaved work is written to a recovery file now and then, and offered back after a crash.

Each window writes its own file (named by process id); a file whose process is gone was left by a crash.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from engine.io import atomic_write


def recovery_dir() -> Path:
    from platformdirs import user_state_path

    return user_state_path("flowdeck") / "recovery"


@dataclass(frozen=True)
class Leftover:
    """Unsaved work a crashed Flowdeck left behind."""

    text_file: Path
    original: Path | None
    saved_at: float

    def label(self) -> str:
        name = self.original.name if self.original else "an unsaved new workflow"
        return f"{name} (autosaved {time.strftime('%Y-%m-%d %H:%M', time.localtime(self.saved_at))})"

    def discard(self) -> None:
        for f in (self.text_file, self.text_file.with_suffix(".json")):
            f.unlink(missing_ok=True)


class Recovery:
    """This window's recovery file."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or recovery_dir()
        self.file = self.folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.yaml"

    def write(self, text: str, original: Path | None) -> None:
        meta = {"pid": os.getpid(), "path": str(original) if original else None, "time": time.time()}
        atomic_write(self.file, text.encode("utf-8"), mode=0o600)  # unsaved work: for this account only
        atomic_write(self.file.with_suffix(".json"), json.dumps(meta).encode("utf-8"), mode=0o600)

    def discard(self) -> None:
        for f in (self.file, self.file.with_suffix(".json")):
            f.unlink(missing_ok=True)

    def leftovers(self) -> list[Leftover]:
        """Recovery files of Flowdeck processes that are no longer running."""
        found = []
        for meta_file in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            text_file = meta_file.with_suffix(".yaml")
            try:
                meta = json.loads(meta_file.read_text("utf-8"))
            except (OSError, ValueError):
                continue
            if text_file == self.file or not text_file.exists() or _alive(meta.get("pid")):
                continue
            path = meta.get("path")
            found.append(Leftover(text_file, Path(path) if path else None, float(meta.get("time", 0))))
        return found


def _alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return False
    if pid == os.getpid():
        return True  # another window of this very process: its work is not lost
    if os.name != "posix":
        return False  # one Flowdeck at a time: another process's file is a leftover
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
