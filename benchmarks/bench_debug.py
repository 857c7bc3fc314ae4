"""What a paused debug run costs (CPU of the run's process and of the engine's while it waits at a breakpoint),
in process isolation as the app and the daemon run; run on demand: .venv/bin/python benchmarks/bench_debug.py"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine
from engine.io import load_workflow
from engine.runtime import Engine
from engine.runtime import events as ev
from engine.runtime.debug import Debug

FLOW = """flowdeck: 1
name: Paused
steps:
  before: {do: log, with: {message: a}, next: held}
  held: {do: log, with: {message: b}}
"""
WAIT = 5.0  # seconds paused per round


def _cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def paused_round(engine: Engine, wf) -> tuple[float, float]:
    paused = threading.Event()
    off = engine.subscribe(lambda e: paused.set() if e.kind == ev.RUN_PAUSED else None)
    handle = engine.submit(wf, debug=Debug(breakpoints={"held": None}))
    assert paused.wait(30), "the run never paused"
    worker = engine.worker_pids()[0]
    time.sleep(0.5)  # the pause's own events are sent and handled
    run0, engine0 = _cpu(worker), time.process_time()
    time.sleep(WAIT)
    run_cpu, engine_cpu = _cpu(worker) - run0, time.process_time() - engine0
    handle.debug("continue")
    assert handle.wait(30).ok
    off()
    return run_cpu, engine_cpu


def main() -> None:
    print(machine(), f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paused.yaml"
        path.write_text(FLOW, encoding="utf-8")
        wf = load_workflow(path)
        engine = Engine(workers=1, isolation="process")
        try:
            rounds = [paused_round(engine, wf) for _ in range(5)]
        finally:
            engine.shutdown(grace=2)
    runs = [r for r, _ in rounds]
    engines = [e for _, e in rounds]
    print(f"paused {WAIT:g} s, 5 rounds: run process CPU median {statistics.median(runs) * 1000:.1f} ms "
          f"(max {max(runs) * 1000:.1f}); engine process CPU median {statistics.median(engines) * 1000:.1f} ms "
          f"(max {max(engines) * 1000:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
