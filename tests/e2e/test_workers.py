"""Runs on worker machines: ``flowdeck daemon --broker`` with ``flowdeck worker`` processes and a real
redis-server (tests/support/redis.py), each process with the account's own HOME, as a team runs it on servers."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.flows import tick
from tests.support.product import Product, wait_until

HEARTBEAT = "2"  # s: a lost worker is noticed within this (docs/scaling.md, "When a worker dies")
SLOW = """flowdeck: 1
name: {name}
triggers:
  - startup: {{}}
policy: {policy}
steps:
  work:
    do: program.run
    with:
      command: [sh, -c, "if [ -e {mark} ]; then echo again >> {mark}; else echo first >> {mark}; sleep {sleep}; fi"]
"""


@contextmanager
def worker(product: Product, url: str, *args: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """``flowdeck worker --broker URL ARGS`` until the end of the block (SIGTERM, or already killed)."""
    log = product.home.parent / f"worker-{time.monotonic_ns()}.stderr"
    with log.open("w") as out:
        proc = subprocess.Popen(
            product.command("worker", "--broker", url, "--heartbeat-timeout", HEARTBEAT, *args),
            stdout=subprocess.DEVNULL, stderr=out, env={**product.env, **(env or {})}, cwd=str(product.home),
        )  # fmt: skip
    proc.log = log  # type: ignore[attr-defined]
    try:
        assert wait_until(lambda: "is ready" in log.read_text() or proc.poll() is not None, 20), log.read_text()
        assert proc.poll() is None, log.read_text()
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _runs(product: Product) -> list[dict]:
    return product.history_rows("SELECT * FROM runs WHERE status != 'skipped' ORDER BY started")


def _daemon(product: Product, url: str) -> Any:
    return product.daemon(str(product.workspace), "--broker", url, "--heartbeat-timeout", HEARTBEAT)


@pytest.mark.promise("scaling.md", "The picture")
def test_runs_spread_over_two_workers_and_the_history_names_each(product: Product, redis_url: str) -> None:
    """With `flowdeck daemon --broker` the daemon fires, the workers run: two runs due at once go to two workers
    (each takes one at a time), every run is in the daemon's history as it would be locally, and its trigger line
    names the worker that ran it (`startup on worker@HOST`)."""
    marks = [product.home / f"mark-{n}" for n in (1, 2)]
    for n, mark in enumerate(marks, 1):
        product.write(f"slow{n}.yaml", SLOW.format(name=f"Slow {n}", policy="{}", mark=mark, sleep=1))
    one, two = worker(product, redis_url, "--workers", "1"), worker(product, redis_url, "--workers", "1")
    with one, two, _daemon(product, redis_url) as daemon:
        done = wait_until(lambda: [r for r in _runs(product) if r["status"] == "succeeded"][1:], 30)
        assert done, daemon.log
    runs = _runs(product)
    assert sorted(r["workflow"] for r in runs) == ["Slow 1", "Slow 2"]
    workers = {r["source"] for r in runs}
    assert len(workers) == 2 and all(s.startswith("startup on worker") for s in workers), workers
    assert all(r["path"] == str(product.workspace / f"slow{n}.yaml") for n, r in
               zip((1, 2), sorted(runs, key=lambda r: r["workflow"]), strict=True))  # fmt: skip
    assert [m.read_text() for m in marks] == ["first\n", "first\n"]
    shown = product.run("history", "--run", runs[0]["run_id"])
    assert "startup on worker" in shown.stdout and "work [program.run] succeeded" in shown.stdout


@pytest.mark.promise("scaling.md", "When a worker dies")
def test_a_worker_killed_mid_run_is_recorded_interrupted_and_runs_again_only_when_asked(
    product: Product, redis_url: str
) -> None:
    """A worker SIGKILLed in the middle of two runs: within the heartbeat timeout both are recorded as
    interrupted, naming the lost worker; the one without `retry_lost` is never run again (its program started
    once), the one with `policy: {retry_lost: true}` runs again, on the other worker."""
    once, twice = product.home / "once", product.home / "twice"
    product.write("once.yaml", SLOW.format(name="Once", policy="{}", mark=once, sleep=60))
    product.write("twice.yaml", SLOW.format(name="Twice", policy="{retry_lost: true}", mark=twice, sleep=60))
    doomed = worker(product, redis_url, "--workers", "2", "--name", "doomed@host")
    with doomed as proc, _daemon(product, redis_url) as daemon:
        assert wait_until(lambda: once.exists() and twice.exists(), 30), daemon.log
        with worker(product, redis_url, "--workers", "2", "--name", "spare@host"):
            proc.kill()
            killed = time.monotonic()
            assert wait_until(lambda: "again" in twice.read_text(), 20), daemon.log
            noticed = time.monotonic() - killed
            time.sleep(1.0)  # what a second run of Once would need to show up
    runs = {(r["workflow"], r["status"], r["source"]) for r in _runs(product)}
    assert ("Once", "interrupted", "startup on doomed@host") in runs
    assert ("Twice", "interrupted", "startup on doomed@host") in runs
    assert ("Twice", "succeeded", "startup on spare@host") in runs
    assert len(runs) == 3, runs
    assert once.read_text() == "first\n" and twice.read_text() == "first\nagain\n"
    assert noticed < float(HEARTBEAT) + 8, noticed  # heartbeat timeout plus checks and a busy machine
    lost = next(r for r in product.history("Once") if r["status"] == "interrupted")
    assert "the worker doomed@host was lost" in lost["error"]["message"]


@pytest.mark.promise("scaling.md", "Workers and tags")
def test_runs_on_reaches_only_the_tagged_worker_with_its_own_secret(product: Product, redis_url: str) -> None:
    """`policy: {runs_on: [office]}` runs only on a worker started with `--tags office`, and a secret set only on
    that worker (FLOWDECK_SECRET_<NAME> in its environment, never on the daemon) is what the run uses, while the
    history shows it as •••; a workflow without runs_on may run on any worker."""
    out = product.home / "secret.txt"
    product.write(
        "office.yaml",
        f"""flowdeck: 1
name: Office
triggers:
  - startup: {{}}
policy: {{runs_on: [office]}}
steps:
  save: {{do: file.write, with: {{path: "{out}", content: "{{{{ secrets.office_token }}}}"}}}}
""",
    )
    plain = worker(product, redis_url, "--workers", "2", "--name", "plain@host")
    office = worker(product, redis_url, "--tags", "office,linux", "--name", "office@host",
                    env={"FLOWDECK_SECRET_OFFICE_TOKEN": "s3cret"})  # fmt: skip
    with plain, office, _daemon(product, redis_url) as daemon:
        assert wait_until(lambda: [r for r in _runs(product) if r["status"] != "running"], 30), daemon.log
    run = _runs(product)[0]
    assert (run["status"], run["source"]) == ("succeeded", "startup on office@host"), run
    assert out.read_text() == "s3cret"
    shown = product.run("history", "--run", run["run_id"], "--json")
    assert shown.returncode == 0 and "s3cret" not in shown.stdout
    (step,) = product.history_rows("SELECT inputs FROM steps WHERE run_id = ?", (run["run_id"],))
    assert '"content": "•••"' in step["inputs"]


@pytest.mark.promise("scaling.md", "When Redis restarts")
def test_redis_restarting_under_load_loses_no_fire_and_runs_none_twice(
    product: Product, redis_url: str, redis_server: Any
) -> None:
    """A schedule every second goes on through a Redis restart (down for 2 s, AOF on): the daemon keeps the fires
    that came meanwhile and sends them when Redis is back, the worker reconnects, and every fire is in the history
    once, succeeded, with its line written once: no second of the schedule is missing."""
    marks = product.home / "marks"
    product.write(
        "tick.yaml", tick(marks, "{{ trigger.scheduled }}").replace("steps:", "policy: {overlap: parallel}\nsteps:")
    )
    with worker(product, redis_url, "--workers", "2"), _daemon(product, redis_url) as daemon:
        assert wait_until(lambda: len(_lines(marks)) >= 2, 30), daemon.log
        redis_server.restart(down=2.0)
        before = len(_lines(marks))
        assert wait_until(lambda: len(_lines(marks)) >= before + 4, 30), daemon.log
    runs = [r for r in _runs(product) if r["status"] != "running"]
    assert runs and all(r["status"] == "succeeded" for r in runs), {r["status"] for r in runs}
    lines = _lines(marks)
    assert len(lines) == len(set(lines)) == len(runs)  # none twice
    seconds = sorted(json.loads(r["trigger"])["scheduled"] for r in runs)
    gaps = [(b - a).total_seconds() for a, b in zip(map(_when, seconds), map(_when, seconds[1:]), strict=False)]
    assert max(gaps) < 1.5, seconds  # none lost: one fire a second, through the restart


@pytest.mark.promise("scaling.md", "Two daemons on one broker")
def test_two_daemons_one_leads_and_the_other_takes_over_with_no_fire_twice_or_lost(
    product: Product, redis_url: str, tmp_path: Path
) -> None:
    """Two daemons (two machines, each its own HOME and copy of the workspace) on one broker: one leads and
    sends the fires of a schedule every second, the other waits; the leader SIGKILLed, the other takes over when
    its lease expires and goes on, and every second of the schedule ran once: none twice, none lost."""
    other = Product(tmp_path / "other")
    marks = product.home / "marks"
    flow = tick(marks, "{{ trigger.scheduled }}").replace("steps:", "policy: {overlap: parallel}\nsteps:")
    product.write("tick.yaml", flow)
    other.write("tick.yaml", flow)
    try:
        with worker(product, redis_url, "--workers", "2"), _daemon(product, redis_url) as first:
            assert first.wait_log("this daemon leads"), first.log
            with _daemon(other, redis_url) as second:
                assert second.wait_log("takes over when its lease expires"), second.log
                assert wait_until(lambda: len(_lines(marks)) >= 3, 30), first.log
                first.kill()
                assert second.wait_log("this daemon leads", timeout=20), second.log
                taken = len(_lines(marks))
                assert wait_until(lambda: len(_lines(marks)) >= taken + 3, 30), second.log
    finally:
        other.close()
    seconds = sorted(int(_when(line).timestamp()) for line in _lines(marks))
    assert len(seconds) == len(set(seconds)), seconds  # none twice
    assert seconds == list(range(seconds[0], seconds[-1] + 1)), seconds  # none lost across the hand-over


@pytest.mark.promise("scaling.md", "When Redis restarts")
def test_runs_waiting_in_the_queue_survive_a_redis_restart(product: Product, redis_url: str, redis_server: Any) -> None:
    """Five runs sent while no worker is connected wait in the queue; Redis is restarted (AOF on); a worker that
    connects afterwards runs every one of them, once."""
    marks = product.home / "marks"
    for n in range(5):
        product.write(f"q{n}.yaml", SLOW.format(name=f"Queued {n}", policy="{}", mark=f"{marks}-{n}", sleep=0))
    queue = redis.Redis.from_url(redis_url)
    with _daemon(product, redis_url) as daemon:
        assert wait_until(lambda: queue.hlen("flowdeck-queue:flowdeck.msgs") == 5, 30), daemon.log
        redis_server.restart(down=0.5)
        assert queue.hlen("flowdeck-queue:flowdeck.msgs") == 5
        with worker(product, redis_url, "--workers", "2"):
            assert wait_until(lambda: len([r for r in _runs(product) if r["status"] == "succeeded"]) == 5, 30)
    assert sorted(r["workflow"] for r in _runs(product)) == [f"Queued {n}" for n in range(5)]
    assert [Path(f"{marks}-{n}").read_text() for n in range(5)] == ["first\n"] * 5
