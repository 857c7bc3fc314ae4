"""Helpers the block modules share: paths as people write them, OS errors as people understand them.

Modules whose name starts with ``_`` are not block modules; the registry does not import them.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.errors import StepError
from engine.registry.context import StepContext


def resolve(ctx: StepContext, value: Any, what: str = "path") -> Path:
    """A path parameter: ``~`` expanded, relative to the workflow file's folder."""
    if isinstance(value, Path):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise StepError(f"{what}: expected a file or folder path, got {value!r}", kind="value")
    if "\0" in value:
        raise StepError(f"{what}: the path contains a NUL character (\\0), which no file name can hold", "value")
    path = Path(os.path.expanduser(value.strip()))
    return path if path.is_absolute() else Path(ctx.workflow_dir) / path


def paths(ctx: StepContext, value: Any, what: str = "path") -> list[Path]:
    """One path or a list of them (a list usually comes from file.list's ``paths`` output)."""
    if isinstance(value, list | tuple):
        items = [v.get("path") if isinstance(v, dict) else v for v in value]
        return [resolve(ctx, v, what) for v in items]
    return [resolve(ctx, value, what)]


_REASONS = {
    errno.ENOENT: "does not exist",
    errno.EACCES: "permission denied",
    errno.EPERM: "not allowed (permission denied)",
    errno.EEXIST: "already exists",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the disk is read-only",
    errno.ENOTEMPTY: "the folder is not empty",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EXDEV: "is on another disk",
}


def os_reason(exc: OSError) -> str:
    """Why an OSError happened, in words, without a path."""
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def describe_os_error(exc: OSError, path: Path | str | None = None) -> str:
    """An OSError in words a non-programmer understands, naming the path (never a temporary name)."""
    shown = [str(p) for p in (exc.filename, exc.filename2, path) if p and not is_temporary(p)]
    where = shown[0] if shown else str(path or "")
    reason = os_reason(exc)
    if exc.errno == errno.ENOTDIR and where:
        blocker = file_in_the_way(Path(where))
        reason = f"{blocker} is a file, not a folder" if blocker else reason
    return f"{where}: {reason}" if where else reason


def file_in_the_way(path: Path) -> Path | None:
    """The nearest folder above ``path`` that is really a file (why a path 'is not a folder')."""
    for parent in path.parents:
        try:
            if parent.exists():
                return None if parent.is_dir() else parent
        except OSError:
            return None
    return None


@contextmanager
def os_errors(path: Path | str | None = None, kind: str = "file") -> Iterator[None]:
    """Turn OSErrors raised inside the block into StepErrors that name the path."""
    try:
        yield
    except StepError:
        raise
    except OSError as exc:
        raise StepError(describe_os_error(exc, path), kind=kind) from None


def must_exist(path: Path, what: str = "file") -> None:
    with os_errors(path):
        if path.exists():
            return
    blocker = file_in_the_way(path)
    if blocker is not None:
        raise StepError(f"{what} not found: {path} ({blocker} is a file, not a folder)", kind="file")
    hint = "" if path.parent.is_dir() else f" (the folder {path.parent} does not exist either)"
    raise StepError(f"{what} not found: {path}{hint}", kind="file")


def duration_param(value: Any, name: str) -> float | None:
    """A duration parameter, or None when it is empty."""
    from engine.model.durations import parse_duration

    if value in ("", None):
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise StepError(f"{name}: {exc}", kind="value") from None


def limit(ctx: StepContext, own: float | None) -> float | None:
    """The shorter of a block's own timeout and what is left of the step's."""
    remaining = ctx.remaining()
    if own is None:
        return remaining
    return own if remaining is None else min(own, remaining)


_SIZE_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3}


def size_param(value: Any, name: str) -> int | None:
    """A size written as bytes (``2048``) or with a unit (``10MB``, ``1.5 GiB``)."""
    if value in ("", None):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    import re

    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(value))
    if not found or found.group(2).lower() not in _SIZE_UNITS:
        raise StepError(f"{name}: expected a size like 500KB, 10MB or 2048, got {value!r}", kind="value")
    return int(float(found.group(1)) * _SIZE_UNITS[found.group(2).lower()])


def iso(timestamp: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(timestamp).isoformat(timespec="seconds")


def text_of(value: Any) -> str:
    """A value as text: strings unchanged, other values as JSON (so lists and mappings stay readable)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if value is None:
        return ""
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


def call_cancellable(ctx: StepContext, fn: Callable[[], Any], name: str = "work") -> Any:
    """Run a blocking call (a network exchange) on a helper thread and return its result, raising
    Cancelled or StepTimeout as soon as the run is cancelled or the step's time is up. An abandoned
    call ends by its own timeout; the step does not wait for it."""
    import threading
    import time

    from engine.errors import Cancelled

    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=work, name=f"flowdeck-{name}-{ctx.step_id}", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.05)
        if ctx.cancel_event.is_set() or (ctx.deadline is not None and time.monotonic() >= ctx.deadline):
            ctx.check_cancelled()
            raise Cancelled(f"the run was cancelled during the {name}")
    if "error" in box:
        raise box["error"]
    return box.get("value")


# -- temporary names and durable writes --------------------------------------------------------------
_PARTIAL = ".partial"
_NAME_BYTES = 120  # of the target's name kept in a temporary name, so the name stays under 255 bytes


def tmp_name(dest: Path) -> Path:
    """A free hidden name next to ``dest`` to write into before the result is swapped in."""
    import uuid

    kept = dest.name.encode("utf-8", "surrogateescape")[:_NAME_BYTES].decode("utf-8", "ignore")
    return dest.with_name(f".{kept}.{uuid.uuid4().hex[:8]}{_PARTIAL}")


def is_temporary(path: Path | str | bytes) -> bool:
    """Whether a path is (inside) one of tmp_name's; a person is shown the target instead."""
    parts = Path(os.fsdecode(path)).parts
    return any(part.startswith(".") and part.endswith(_PARTIAL) for part in parts)


def sync_tree(path: Path) -> None:
    """Flush a written file, or a folder and everything in it, to the disk (links live in their folder)."""
    if path.is_symlink():
        return
    if not path.is_dir():
        _sync_file(path)
        return
    for root, _dirs, files in os.walk(path):
        for name in files:
            file = os.path.join(root, name)
            if not os.path.islink(file):
                _sync_file(Path(file))
        sync_folder(Path(root))


def sync_folder(folder: Path) -> None:
    """Flush a folder's list of names, so a file created or renamed in it survives a power cut."""
    from engine.io.save import _fsync_dir  # the one folder flush, shared with workflow saving

    _fsync_dir(folder)


def _sync_file(path: Path) -> None:
    # Windows flushes only a file open for writing; POSIX flushes through any descriptor.
    flags = os.O_RDONLY if os.name == "posix" else os.O_RDWR | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        if os.name == "posix":
            raise
        return  # a read-only copy on Windows cannot be opened for writing; NTFS journals it anyway
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
