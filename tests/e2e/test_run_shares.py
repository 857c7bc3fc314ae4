"""Runs waiting for every run process go to them in shares (docs/runtime.md): the daemon as a process, its webhooks
called over HTTP in a known order, the history read back as a person would."""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.support.product import Product, wait_until

HOOK = """flowdeck: 1
name: {name}
triggers:
  - webhook: {{path: {name}}}
policy: {{overlap: parallel}}
steps:
  w: {{do: wait, with: {{duration: "{{{{ trigger.body.wait }}}}s"}}}}
"""
PROCESSES = 4  # the daemon's run processes (Runs at the same time)


@contextmanager
def hooks(product: Product) -> Iterator[Any]:
    """The daemon with a ``block``, a ``slow`` and a ``quick`` hook; yields ``post(name, wait) -> run id``, which
    calls them one after the other on one kept-alive connection (so the runs are submitted in that order)."""
    for name in ("block", "slow", "quick"):
        product.write(f"{name}.yaml", HOOK.format(name=name))
    with product.daemon() as daemon:
        assert daemon.wait_log("watching"), daemon.log
        port = re.search(r"webhooks listen on http://127\.0\.0\.1:(\d+)/", daemon.log)
        assert port, daemon.log
        tokens_file = product.state / "flowdeck" / "webhook-tokens.json"
        assert wait_until(lambda: tokens_file.exists() and len(json.loads(tokens_file.read_text())) == 3), daemon.log
        tokens = json.loads(tokens_file.read_text())
        conn = http.client.HTTPConnection("127.0.0.1", int(port.group(1)), timeout=20)

        def post(name: str, wait: float) -> str:
            conn.request("POST", f"/hook/{name}", body=json.dumps({"wait": wait}),
                         headers={"X-Flowdeck-Token": tokens[name], "Content-Type": "application/json"})  # fmt: skip
            answer = conn.getresponse()
            data = json.loads(answer.read())
            assert answer.status == 202, data
            return str(data["run_id"])

        try:
            yield daemon, post
        finally:
            conn.close()


def rows(product: Product) -> dict[str, dict[str, Any]]:
    return {r["run_id"]: r for r in product.history_rows("SELECT * FROM runs")}


def all_busy(product: Product, daemon: Any, post: Any, seconds: float) -> list[str]:
    """Every run process executing a ``block`` run of ``seconds`` (their steps have begun): the daemon keeps one
    spare ready and starts the others as runs come, so the runs are only known to be spread once they go."""
    blocks = [post("block", seconds) for _ in range(PROCESSES)]

    def going() -> bool:
        found = product.history_rows("SELECT run_id FROM steps WHERE step = 'w'")
        return {r["run_id"] for r in found} >= set(blocks)

    assert wait_until(going, timeout=30), daemon.log
    return blocks


@pytest.mark.promise("runtime.md", "Where a run executes: its own process")
def test_a_long_run_does_not_hold_up_the_runs_sent_behind_it(product: Product) -> None:
    """Every run process busy, then a 10-s run and 20 short ones: the process that takes the long run is sent a
    share with short runs behind it, and the others, once free, take those back. Every short run has ended
    (succeeded, in the history) long before the long one ends."""
    with hooks(product) as (daemon, post):
        all_busy(product, daemon, post, 1.5)
        slow = post("slow", 10)
        quick = [post("quick", 0) for _ in range(20)]
        assert wait_until(lambda: all(rows(product).get(i, {}).get("status") == "succeeded" for i in quick),
                          timeout=30), daemon.log  # fmt: skip
        history = rows(product)
        assert history[slow]["status"] == "running"  # the long run is still going
        last_quick = max(history[i]["finished"] for i in quick)
        assert last_quick - history[slow]["started"] < 6.0
        assert wait_until(lambda: rows(product)[slow]["status"] == "succeeded", timeout=30), daemon.log


@pytest.mark.promise("runtime.md", "Where a run executes: its own process")
def test_a_stop_ends_the_runs_waiting_their_turn_at_once(product: Product) -> None:
    """Every run process busy, then twenty 6-s runs: each process, once free, is sent a share of them, one going
    and the others waiting their turn there (no process comes free to take them back). SIGTERM then: the daemon
    exits with code 0, the four runs going finish within the grace and succeed, and the other 16 (waiting in a
    process or for one) are in the history as cancelled, ended within a moment of the stop, not after the four."""
    with hooks(product) as (daemon, post):
        blocks = all_busy(product, daemon, post, 1.5)
        slow = [post("slow", 6) for _ in range(20)]
        assert wait_until(lambda: all(rows(product).get(i, {}).get("status") == "succeeded" for i in blocks),
                          timeout=30), daemon.log  # fmt: skip
        time.sleep(0.5)  # the shares are sent as the blocks end
        assert daemon.stop() == 0, daemon.log
    history = rows(product)
    statuses = [history[i]["status"] for i in slow]
    assert sorted(statuses) == ["cancelled"] * 16 + ["succeeded"] * PROCESSES, statuses
    first_end = min(history[i]["finished"] for i in slow if history[i]["status"] == "succeeded")
    late = [(history[i]["started"], history[i]["finished"]) for i in slow
            if history[i]["status"] == "cancelled" and history[i]["finished"] >= first_end - 2]  # fmt: skip
    assert not late, (first_end, late, [(history[i]["started"], history[i]["finished"], history[i]["status"])
                                        for i in slow], daemon.log)  # fmt: skip
