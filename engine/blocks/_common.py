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
    path = Path(os.path.expanduser(value.strip()))
    return path if path.is_absolute() else Path(ctx.workflow_dir) / path


def paths(ctx: StepContext, value: Any, what: str = "path") -> list[Path]:
    """One path or a list of them (a list usually comes from file.list's ``paths`` output)."""
    if isinstance(value, list | tuple):
        items = [v.get("path") if isinstance(v, dict) else v for v in value]
        return [resolve(ctx, v, what) for v in items]
    return [resolve(ctx, value, what)]


def describe_os_error(exc: OSError, path: Path | str | None = None) -> str:
    """An OSError in words a non-programmer understands, naming the path."""
    where = str(path or exc.filename or "")
    reasons = {
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
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return f"{where}: {reason}" if where else reason


@contextmanager
def os_errors(path: Path | str | None = None, kind: str = "file") -> Iterator[None]:
    """Turn OSErrors raised inside the block into StepErrors that name the path."""
    try:
        yield
    except StepError:
        raise
    except OSError as exc:
        raise StepError(describe_os_error(exc, exc.filename or path), kind=kind) from None


def must_exist(path: Path, what: str = "file") -> None:
    if not path.exists():
        parent = path.parent
        hint = "" if parent.is_dir() else f" (the folder {parent} does not exist either)"
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
