"""One scheduler per workspace: the process that arms a workspace holds an OS lock on it until it stops.

The lock is an ``flock`` (``msvcrt.locking`` on Windows) on a file kept outside the workspace, in the ``locks``
folder of the service's state folder, named by a hash of the workspace's resolved path. The OS drops the lock
when its process ends, however it ends (SIGKILL included), so a crash never leaves a stale lock behind: that is
why this is an OS lock and not a pid file. Next to it a small JSON file says who holds it (pid, who, host, since),
so a second process can say who runs the workspace. ``holder`` only reads: ``flowdeck status`` and the app's
"Take over when it stops" ask it without ever taking the lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from engine.scheduling.workspace import shown

APP = "the Flowdeck app"
DAEMON = "flowdeck daemon"
# A reader's probe holds a shared lock for a few microseconds; a process arming the workspace at that instant
# tries again for this long before it believes the workspace is taken.
ACQUIRE_PATIENCE = 0.5


@dataclass(frozen=True)
class Holder:
    """Who runs a workspace, as the holder wrote it when it took the lock."""

    pid: int
    who: str
    host: str = ""
    since: float = 0.0

    def describe(self) -> str:
        """``flowdeck daemon (pid 1234)``, with the host when it is another computer."""
        where = f" on {self.host}" if self.host and self.host != socket.gethostname() else ""
        return f"{self.who} (pid {self.pid}{where})"


class WorkspaceBusy(RuntimeError):
    """The workspace is already run by another process; the message is one line meant to be shown as it is."""

    def __init__(self, workspace: Path, holder: Holder | None) -> None:
        self.workspace = workspace
        self.holder = holder
        who = holder.describe() if holder else "another Flowdeck process"
        super().__init__(f"the workspace {shown(workspace)} is run by {who}; quit it first, or use another folder")


def lock_folder(state_dir: Path) -> Path:
    return Path(state_dir) / "locks"


def _names(workspace: Path, state_dir: Path) -> tuple[Path, Path]:
    key = hashlib.sha256(str(Path(workspace).expanduser().resolve()).encode("utf-8")).hexdigest()[:20]
    folder = lock_folder(state_dir)
    return folder / f"{key}.lock", folder / f"{key}.json"


class WorkspaceLock:
    """The lock on one workspace; ``acquire`` takes it or raises WorkspaceBusy, ``release`` gives it back."""

    def __init__(self, workspace: Path, state_dir: Path) -> None:
        self.workspace = Path(workspace).expanduser().resolve()
        self._lock_path, self._info_path = _names(self.workspace, state_dir)
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, who: str) -> None:
        """Take the lock for ``who`` (APP or DAEMON) and say so in the JSON file; WorkspaceBusy when it is taken."""
        if self._file is not None:
            return
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self._lock_path, "a+b")  # noqa: SIM115 (kept open: the lock lives as long as the file)
        deadline = time.monotonic() + ACQUIRE_PATIENCE
        while not _try_lock(handle, exclusive=True):
            if time.monotonic() > deadline:
                handle.close()
                raise WorkspaceBusy(self.workspace, _read_holder(self._info_path))
            time.sleep(0.02)
        self._file = handle
        info = {"pid": os.getpid(), "who": who, "host": socket.gethostname(), "since": time.time()}
        info["workspace"] = str(self.workspace)
        _write_json(self._info_path, info)

    def release(self) -> None:
        """Give the lock back (the JSON is removed first: a reader never sees it without a holder behind it)."""
        if self._file is None:
            return
        try:
            self._info_path.unlink(missing_ok=True)
        except OSError:
            pass
        _unlock(self._file)
        self._file.close()
        self._file = None


def holder(workspace: Path, state_dir: Path) -> Holder | None:
    """Who runs ``workspace`` now, or None when nobody does. Reads only: the lock is probed, never kept."""
    lock_path, info_path = _names(workspace, state_dir)
    if not lock_path.exists():
        return None
    try:
        handle = open(lock_path, "rb")  # noqa: SIM115
    except OSError:
        return None
    try:
        if _try_lock(handle, exclusive=False):
            _unlock(handle)
            return None
    finally:
        handle.close()
    return _read_holder(info_path) or Holder(0, "another Flowdeck process")


def _read_holder(info_path: Path) -> Holder | None:
    try:
        data: Any = json.loads(info_path.read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["who"]), str(data.get("host", "")), float(data.get("since", 0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # being written, or left by a holder that has just gone


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: IO[bytes], *, exclusive: bool) -> bool:
        # msvcrt has no shared lock: a reader's probe takes the byte for an instant (ACQUIRE_PATIENCE covers it)
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(handle: IO[bytes]) -> None:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def _try_lock(handle: IO[bytes], *, exclusive: bool) -> bool:
        try:
            fcntl.flock(handle.fileno(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(handle: IO[bytes]) -> None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        except OSError:
            pass
