"""The daemon's engine and a worker node on one broker (in this process; tests/e2e/test_workers.py uses processes)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from engine.distributed import broker as b
from engine.io import load_workflow
from engine.runtime import events as ev

WAIT = """flowdeck: 1
name: Waits
policy: {runs_on: [office]}
steps:
  nap: {do: wait, with: {duration: 60s}}
"""


def test_a_cancel_from_the_daemon_reaches_the_run_on_its_worker(tmp_path: Path, node, daemon_engine) -> None:
    path = tmp_path / "waits.yaml"
    path.write_text(WAIT)
    handle = daemon_engine.submit(load_workflow(path), trigger={"kind": "manual"})
    started = time.monotonic()
    while not handle.started and time.monotonic() - started < 10:
        time.sleep(0.02)
    assert handle.started
    handle.cancel()
    result = handle.wait(10)
    assert result.status == "cancelled"


def test_a_message_in_a_newer_format_is_recorded_as_failed_with_the_reason(node, daemon_engine) -> None:
    from dramatiq import Message

    seen: list[ev.Event] = []
    daemon_engine.subscribe(seen.append)
    body = {"schema": 99, "run_id": "r-new", "workflow": "Future", "source": "schedule", "trigger": {}}
    daemon_engine._broker.enqueue(Message(queue_name=b.QUEUE, actor_name=b.ACTOR, args=(json.dumps(body),),
                                          kwargs={}, options={}))  # fmt: skip
    deadline = time.monotonic() + 10
    while not any(e.kind == ev.RUN_FINISHED for e in seen) and time.monotonic() < deadline:
        time.sleep(0.02)
    (finished,) = [e for e in seen if e.kind == ev.RUN_FINISHED]
    assert finished.data["status"] == "failed"
    assert "format 99" in finished.data["error"]["message"] and "update Flowdeck on test@host" in finished.data[
        "error"]["message"]  # fmt: skip
    (begun,) = [e for e in seen if e.kind == ev.RUN_STARTED]
    assert begun.data["source"] == "schedule on test@host"


COUNT = """flowdeck: 1
name: Counts
policy: {overlap: parallel}
steps:
  count: {do: state.increment, with: {key: runs}}
"""


def test_runs_on_workers_count_in_the_broker_store_of_the_daemon_file(tmp_path: Path, node, daemon_engine) -> None:
    from engine.distributed.message import identity
    from engine.distributed.store import PREFIX

    path = tmp_path / "counts.yaml"
    path.write_text(COUNT)
    workflow = load_workflow(path)
    handles = [daemon_engine.submit(workflow, trigger={"kind": "manual"}) for _ in range(6)]
    assert [h.wait(20).status for h in handles] == ["succeeded"] * 6
    assert daemon_engine.client.hget(PREFIX + identity(path), "runs") == "6"  # 6 runs in parallel lost no count
