"""Saved values in the broker's Redis (engine.distributed.store): shared by every worker, counted atomically."""

from __future__ import annotations

import threading

import pytest

from engine.distributed.broker import redis_client
from engine.distributed.store import RedisStateDB
from engine.errors import StepError


def test_values_round_trip_and_two_counters_at_once_lose_no_count(redis_url: str) -> None:
    one, two = RedisStateDB(redis_client(redis_url)), RedisStateDB(redis_client(redis_url))  # two workers
    a, b = one.store("wf-1", "Counter"), two.store("wf-1", "Counter")
    a.set("seen", {"ids": [1, 2], "ok": True})
    assert b.get("seen") == {"ids": [1, 2], "ok": True} and b.get("none", 7) == 7

    def count(store) -> None:
        for _ in range(100):
            store.increment("runs")

    threads = [threading.Thread(target=count, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert a.get("runs") == 200
    assert b.increment("runs", 0.5) == (200, 200.5)
    assert a.increment("runs", reset=True)[1] == 0
    b.delete("seen")
    assert a.get("seen") is None


def test_counting_a_value_that_is_no_number_fails_the_step_with_its_value(redis_url: str) -> None:
    store = RedisStateDB(redis_client(redis_url)).store("wf-2", "Counter")
    store.set("name", "abc")
    with pytest.raises(StepError, match="the saved value 'name' is 'abc', not a number"):
        store.increment("name")


def test_a_run_file_written_on_the_worker_keeps_the_daemon_files_values(redis_url: str) -> None:
    db = RedisStateDB(redis_client(redis_url))
    db.alias({"/tmp/flowdeck-run-x/report.yaml": "wf-report"})
    db.store("/tmp/flowdeck-run-x/report.yaml", "Report").set("k", 1)
    assert db.store("wf-report", "Report").get("k") == 1
