"""The fires of one APScheduler pass are started together (engine.scheduling.fires, jobs.new_scheduler's hold and
release): 50 jobs due at one moment reach the fire thread as one batch, in the order APScheduler ran them."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from apscheduler.triggers.date import DateTrigger

from engine.scheduling.fires import FireThread
from engine.scheduling.jobs import new_scheduler


def test_fifty_jobs_due_at_one_moment_are_one_batch() -> None:
    batches: list[list[str]] = []
    done = threading.Event()

    def start_fires(groups: list[str]) -> None:
        batches.append(groups)
        time.sleep(0.02)  # a slow start: fires handed over meanwhile would be a second batch
        if sum(map(len, batches)) == 50:
            done.set()

    fires = FireThread(start_fires)

    def fire(group: str) -> None:  # a pass that lets other threads in between its jobs, as a busy service's does
        fires.put(group)
        time.sleep(0.002)

    scheduler = new_scheduler(fires.hold, fires.release)
    due = datetime.now().astimezone() + timedelta(seconds=1)
    for i in range(50):
        scheduler.add_job(fire, DateTrigger(due), args=[f"g{i:02d}"], id=f"g{i:02d}")
    fires.start()
    scheduler.start()
    try:
        assert done.wait(10)
    finally:
        scheduler.shutdown(wait=False)
        fires.stop()
    assert len(batches) == 1 and sorted(batches[0]) == [f"g{i:02d}" for i in range(50)]


def test_a_fire_handed_over_outside_a_pass_starts_at_once() -> None:
    started = threading.Event()
    fires = FireThread(lambda groups: started.set())
    fires.start()
    fires.put("g")
    try:
        assert started.wait(5)
    finally:
        fires.stop()
