"""Reading a workflow file is not a change: every run of a file reads it (the run history keeps the version it ran),
and 200 runs due at once made 400 open/close events, each starting a rescan timer thread on the fire path."""

from __future__ import annotations

import time
from pathlib import Path

from tests.engine.scheduling.helpers import service, wait_for
from tests.support.flows import tick


def test_reading_a_workflow_file_does_not_rescan_but_writing_it_does(tmp_path: Path) -> None:
    svc = service(tmp_path)
    flow = svc.workspace / "tick.yaml"
    flow.write_text(tick(tmp_path / "marks.txt"))
    svc.start()
    rescans: list[float] = []
    real = svc.rescan
    svc.rescan = lambda: (rescans.append(time.monotonic()), real())  # type: ignore[method-assign]
    try:
        time.sleep(0.5)  # events of the start itself are behind us
        rescans.clear()
        for _ in range(20):
            flow.read_bytes()
        time.sleep(0.8)  # longer than the rescan delay (0.3 s)
        assert rescans == []
        flow.write_text(tick(tmp_path / "other.txt"))
        assert wait_for(lambda: len(rescans) >= 1, timeout=5)
    finally:
        svc.stop(grace=1)
