"""Shared bits of the scheduling tests: polling, and a started Service over a temp workspace."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.scheduling.service import Service


def wait_for(cond: Callable[[], Any], timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def service(tmp_path: Path, **kwargs: Any) -> Service:
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    kwargs.setdefault("webhook_port", None)
    return Service(ws, state_dir=tmp_path / "state", **kwargs)
