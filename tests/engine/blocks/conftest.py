"""Helpers for block tests: a step context to call blocks directly, and real engine runs of small workflows."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from engine.errors import Cancelled, StepTimeout
from engine.io import read_text
from engine.runtime import Engine
from engine.runtime.context import HeadlessHost, read_secret
from engine.runtime.state import MemoryState
from tests.support.servers import (  # noqa: F401  (fixtures)
    closed_port,
    http_server,
    https_server,
    smtp_server,
    smtp_tls_servers,
)


class Ctx:
    """A complete StepContext for calling a block function directly, recording logs and progress."""

    def __init__(self, folder: Path, host: Any = None, timeout: float | None = None) -> None:
        self.run_id = "test"
        self.step_id = "step"
        self.workflow_name = "Test"
        self.workflow_dir = folder
        self.cancel_event = threading.Event()
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.host = host or HeadlessHost()
        self.state = MemoryState()
        self.logs: list[tuple[str, str]] = []
        self.progress_calls: list[tuple[float, float | None]] = []
        self.data: dict[str, Any] = {"vars": {}, "steps": {}, "trigger": {}, "run": {"id": "test"}}

    def values(self) -> dict[str, Any]:
        return self.data

    def log(self, message: str, level: str = "info") -> None:
        self.logs.append((level, message))

    def progress(self, done: float, total: float | None = None) -> None:
        self.progress_calls.append((done, total))

    def secret(self, name: str) -> str:
        return read_secret(name)

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def check_cancelled(self) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise StepTimeout("step 'step' ran out of time")
        if self.cancel_event.is_set():
            raise Cancelled("the run was cancelled")


@pytest.fixture
def ctx(tmp_path: Path) -> Ctx:
    return Ctx(tmp_path)


def run_yaml(text: str, folder: Path, **kwargs: Any) -> Any:
    """Save ``text`` as a workflow in ``folder`` and run it on a real Engine; return the RunResult."""
    path = folder / "flow.yaml"
    path.write_text(text, "utf-8")
    wf, problems = read_text(text, str(path))
    errors = [str(p) for p in problems if p.is_error]
    assert wf is not None and not errors, errors
    wf.source = path
    engine = Engine(workers=1, state_dir=kwargs.pop("state_dir", None), host=kwargs.pop("host", None))
    try:
        return engine.run(wf, **kwargs)
    finally:
        engine.shutdown(1)


def fsync_log(monkeypatch: pytest.MonkeyPatch, probe: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Record every real fsync from now on (Linux): the flushed path, and what ``probe()`` said at that moment
    (e.g. whether the source still existed). The flush itself still happens."""
    calls: list[tuple[str, Any]] = []
    real = os.fsync

    def recording(fd: int) -> None:
        calls.append((os.readlink(f"/proc/self/fd/{fd}"), probe()))
        real(fd)

    monkeypatch.setattr(os, "fsync", recording)
    return calls


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """A folder that refuses new entries, even to root: immutable (chattr +i) as root, read-only otherwise
    (permission bits do not stop root)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    subprocess.run(["chattr", "+i", str(folder)], check=True, capture_output=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True, capture_output=True)
