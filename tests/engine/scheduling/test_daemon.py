"""``flowdeck daemon`` as a real subprocess: SIGTERM and SIGINT stop it with exit code 0 within the grace period,
a run still going at the grace limit is cancelled and recorded so, and the log file is in the user log folder.
Also the daemon's stop wait, in-process, with runs that ignore cancelling."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from engine.cli.cmd_daemon import STOP_SLACK, stop_within
from engine.io import read_text
from engine.registry.blocks import BlockType, Registry, default_registry
from engine.runtime import Engine
from engine.runtime.history import History
from tests.engine.scheduling.helpers import service, wait_for

FLOW = """flowdeck: 1
name: {name}
triggers:
  - startup: {{}}
steps:
  begin:
    do: file.write
    with: {{path: "{marks}/{name}.started", content: x}}
    next: pause
  pause:
    do: wait
    with: {{duration: {pause}}}
    next: end
  end:
    do: file.write
    with: {{path: "{marks}/{name}.ended", content: x}}
"""
GRACE = 2.0


def _daemon(tmp_path: Path, ws: Path) -> subprocess.Popen:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}
    err = (tmp_path / "stderr.txt").open("w")  # a file, not a pipe: nobody reads it while the daemon runs
    cmd = [sys.executable, "-m", "engine", "daemon", str(ws), "--grace", str(GRACE), "--port", "0"]
    return subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL, env=env)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_within_grace_and_cancels_what_is_still_running(tmp_path: Path, sig: signal.Signals) -> None:
    ws, marks = tmp_path / "ws", tmp_path / "marks"
    ws.mkdir()
    marks.mkdir()
    for name, pause in (("quick", "1s"), ("long", "60s")):
        (ws / f"{name}.yaml").write_text(FLOW.format(name=name, marks=marks, pause=pause), encoding="utf-8")
    proc = _daemon(tmp_path, ws)
    try:
        assert wait_for(lambda: {p.name for p in marks.iterdir()} >= {"quick.started", "long.started"}, 30)
        sent = time.monotonic()
        proc.send_signal(sig)
        assert proc.wait(timeout=GRACE + 15) == 0
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert took < GRACE + 2.0, f"stopped {took:.1f} s after the signal"
    assert took > 0.8  # it did wait for the quick run (1 s) rather than cancel it at once
    assert {p.name for p in marks.iterdir()} == {"quick.started", "quick.ended", "long.started"}
    history = History(tmp_path / "data" / "flowdeck" / "history.sqlite3")
    try:
        statuses = {r.workflow: r.status for r in history.runs()}
    finally:
        history.close()
    assert statuses == {"quick": "succeeded", "long": "cancelled"}
    log = (tmp_path / "state" / "flowdeck" / "log" / "daemon.log").read_text(encoding="utf-8")
    assert f"watching {ws} (2 workflows)" in log and "stopping: running runs get 2.0 s" in log
    assert "stopped in" in log


# in-process: the stop wait is bounded even when runs ignore cancelling ------------------------------------------
RELEASE = threading.Event()


def _ignores_cancel(ctx: Any) -> dict[str, Any]:
    RELEASE.wait(30)
    return {}


DEAF_BLOCK = BlockType("test.deaf", "Deaf", "Test", "ignores cancel", run=_ignores_cancel)
REGISTRY = Registry([*default_registry(), DEAF_BLOCK])
DEAF = "flowdeck: 1\nname: deaf\nsteps:\n  a: {do: test.deaf}\n"
WAITS = "flowdeck: 1\nname: waits\nsteps:\n  a: {do: wait, with: {duration: 30s}}\n"


def _submit(svc: Any, text: str, count: int) -> list[Any]:
    workflow, problems = read_text(text, "x.yaml", REGISTRY)
    assert workflow is not None and not problems, problems
    handles = [svc.engine.submit(workflow) for _ in range(count)]
    assert wait_for(lambda: all(h.started for h in handles), 5)
    return handles


def test_stop_wait_is_bounded_when_runs_ignore_cancelling(tmp_path: Path) -> None:
    """Two deaf runs: Engine.shutdown alone would take grace + 2 × 5 s."""
    RELEASE.clear()
    svc = service(tmp_path, engine=Engine(workers=4, registry=REGISTRY))
    svc.start()
    handles = _submit(svc, DEAF, 2)
    try:
        started = time.monotonic()
        assert stop_within(svc, 0.5) is False
        assert time.monotonic() - started < 0.5 + STOP_SLACK + 0.5
        assert not any(h.done() for h in handles)
    finally:
        RELEASE.set()


def test_stop_wait_returns_as_soon_as_cancelled_runs_end(tmp_path: Path) -> None:
    svc = service(tmp_path, engine=Engine(workers=4, registry=REGISTRY))
    svc.start()
    handles = _submit(svc, WAITS, 2)
    started = time.monotonic()
    assert stop_within(svc, 0.5) is True
    assert time.monotonic() - started < 0.5 + 1.0
    assert [h.wait(0).status for h in handles] == ["cancelled", "cancelled"]
