"""A cancel from the daemon's engine reaches a run on a real `flowdeck worker` process within a second, and the
run's program is ended there (no `flowdeck` command cancels a daemon's run: the app's and the engine's
cancel are what a person uses)."""

from __future__ import annotations

import time
from pathlib import Path

from engine.distributed import broker as b
from engine.io import load_workflow
from tests.e2e.test_workers import HEARTBEAT, worker
from tests.support.product import Product, wait_until

SLEEPY = """flowdeck: 1
name: Sleepy
steps:
  wait: {{do: program.run, with: {{command: [sh, -c, "echo $$ > {pid}; exec sleep 60"]}}}}
"""


def test_a_cancel_reaches_the_run_on_a_worker_process_within_a_second(tmp_path: Path, redis_url: str) -> None:
    from engine.distributed.dispatch import BrokerEngine

    product = Product(tmp_path / "account")
    pid = tmp_path / "pid"
    path = tmp_path / "sleepy.yaml"
    path.write_text(SLEEPY.format(pid=pid))
    engine = BrokerEngine(b.Settings(redis_url, heartbeat_timeout=float(HEARTBEAT)), lead=False)
    engine.connect()
    try:
        with worker(product, redis_url, "--workers", "1"):
            handle = engine.submit(load_workflow(path), trigger={"kind": "manual"})
            assert wait_until(lambda: pid.exists() and pid.read_text().strip(), 20)
            asked = time.monotonic()
            handle.cancel()
            result = handle.wait(10)
            took = time.monotonic() - asked
    finally:
        engine.shutdown(0)
    assert result.status == "cancelled", result
    assert took < 1.5, took  # within a second, with room for a loaded machine
    program = Path(f"/proc/{pid.read_text().strip()}")
    assert wait_until(lambda: not program.exists() or "zombie" in (program / "status").read_text(), 5)
