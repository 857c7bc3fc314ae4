"""Runs on workers through the broker: one-step runs per second and the lateness of 200 fires due within a second,
with 1, 2 and 4 local ``flowdeck worker`` processes, against the same daemon engine without a broker.

Run: .venv/bin/python benchmarks/bench_distributed.py [--rounds 3] [--runs 300] [--workers 1,2,4] [--threads 2]

Needs redis-server (started here on a free loopback port, AOF on as docs/scaling.md advises). Each worker is a real
``flowdeck worker --workers THREADS`` process on this machine. Throughput: RUNS one-step (``log``) runs submitted at
once to the daemon's engine, from the first submit to the last result. Lateness: the real scheduling service with
200 workflows, each ``at`` a moment of its own spread over one second (benchmarks/bench_scheduler.py), from the
planned moment to the first step starting (the step_started event's time, taken on the worker); no other load.
"Local" is the daemon without a broker: Engine(workers=4, isolation="process").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_scheduler as sched
from _common import machine

from engine.io import read_text
from engine.runtime import Engine
from engine.runtime.history import History
from engine.scheduling.service import Service
from tests.support.redis import RedisServer

REPO = Path(__file__).resolve().parents[1]
ONE_STEP = "flowdeck: 1\nname: one\npolicy: {overlap: parallel}\nsteps:\n  a: {do: log, with: {message: hi}}\n"


def _workers(url: str, count: int, threads: int, home: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "HOME": str(home), "XDG_STATE_HOME": str(home / "state"), "PYTHONPATH": str(REPO)}
    procs = []
    for n in range(count):
        log = home / f"worker-{n}.log"
        procs.append(subprocess.Popen([sys.executable, "-m", "engine", "worker", "--broker", url, "--workers",
                                       str(threads), "--name", f"bench-{n}@host"], stderr=log.open("w"), env=env,
                                      stdout=subprocess.DEVNULL))  # fmt: skip
    for n in range(count):
        deadline = time.monotonic() + 30
        while "is ready" not in (home / f"worker-{n}.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
    return procs


def _engine(root: Path, url: str | None) -> Any:
    history = History(root / "history.sqlite3")
    if url is None:
        return Engine(workers=4, history=history, isolation="process")
    from engine.distributed.broker import Settings
    from engine.distributed.dispatch import BrokerEngine

    engine = BrokerEngine(Settings(url), history=history, root=root / "ws")
    engine.connect()
    return engine


def throughput(root: Path, url: str | None, runs: int) -> float:
    engine = _engine(root, url)
    path = root / "one.yaml"
    path.write_text(ONE_STEP)
    wf, _problems = read_text(ONE_STEP, str(path))
    plan = engine.plan(wf)
    engine.warm(4)
    engine.run(plan)  # warm: a process started, a plan compiled on the worker
    started = time.perf_counter()
    handles = [engine.submit(plan) for _ in range(runs)]
    for handle in handles:
        handle.wait(120)
    took = time.perf_counter() - started
    engine.shutdown(5)
    return runs / took


WAITS = "flowdeck: 1\nname: waits\nsteps:\n  a: {do: wait, with: {duration: 60s}}\n"


def cancel_latency(root: Path, url: str | None) -> float:
    """Seconds from ``handle.cancel()`` on the daemon's engine to the run's result (cancelled) coming back."""
    engine = _engine(root, url)
    wf, _problems = read_text(WAITS, str(root / "waits.yaml"))
    handle = engine.submit(wf)
    deadline = time.monotonic() + 30
    while not handle.started and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # its step is waiting
    started = time.perf_counter()
    handle.cancel()
    result = handle.wait(30)
    took = time.perf_counter() - started
    assert result.status == "cancelled", result
    engine.shutdown(5)
    return took


def lateness(root: Path, url: str | None, n: int = 200) -> dict[str, float]:
    ws = root / "ws"
    ws.mkdir(exist_ok=True)
    due = (datetime.now().astimezone() + timedelta(seconds=4)).replace(microsecond=0)
    for i in range(n):
        moment = (due + timedelta(seconds=i / n)).isoformat()
        (ws / f"w{i:04d}.yaml").write_text(sched.FLOW.format(i=i, trigger=f'at: "{moment}"'), encoding="utf-8")
    svc = Service(ws, engine=_engine(root, url), state_dir=root / "state", webhook_port=None)
    late = sched.Lateness(svc)
    svc.start()
    end = time.monotonic() + 30
    while len(late.step) < n and time.monotonic() < end:
        time.sleep(0.05)
    svc.stop(grace=5)
    return sched._summary(late, n)


def case(url: str | None, runs: int) -> tuple[float, dict[str, float], float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if url is not None:
            import redis

            redis.Redis.from_url(url).flushall()
        rate = throughput(root, url, runs)
        if url is not None:
            redis.Redis.from_url(url).delete("flowdeck:leader")  # the next engine leads at once
        cancel = cancel_latency(root, url)
        if url is not None:
            redis.Redis.from_url(url).delete("flowdeck:leader")
        return rate, lateness(root, url), cancel


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--threads", type=int, default=2, help="--workers of each flowdeck worker")
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        server = RedisServer(home)
        server.start()
        try:
            cases: list[tuple[str, int | None]] = [("local (no broker)", None)]
            cases += [(f"{n} worker(s) × {args.threads}", n) for n in map(int, args.workers.split(","))]
            for label, count in cases:
                procs = _workers(server.url, count, args.threads, home) if count else []
                try:
                    results = [case(server.url if count else None, args.runs) for _ in range(args.rounds)]
                finally:
                    for proc in procs:
                        proc.terminate()
                    for proc in procs:
                        proc.wait(30)
                rates = [r for r, _, _ in results]
                p50 = [late["p50"] for _, late, _ in results]
                p99 = [late["p99"] for _, late, _ in results]
                started = [late["runs"] for _, late, _ in results]
                cancels = [c * 1000 for _, _, c in results]
                print(f"{label:24} {statistics.median(rates):7.0f} runs/s ({min(rates):.0f}–{max(rates):.0f})   "
                      f"200 fires: p50 {statistics.median(p50):6.1f} ms, p99 {statistics.median(p99):6.1f} ms "
                      f"({min(p99):.1f}–{max(p99):.1f}), started {min(started)}–{max(started)}; cancel → result "
                      f"{statistics.median(cancels):.0f} ms ({min(cancels):.0f}–{max(cancels):.0f})",
                      flush=True)  # fmt: skip
        finally:
            server.stop()


if __name__ == "__main__":
    main()
