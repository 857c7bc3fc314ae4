"""The scheduling service: time to arm 1,000 workflows, fire lateness, idle CPU and memory with 100 armed workflows.

Run: .venv/bin/python benchmarks/bench_scheduler.py [--rounds 3] [--idle-seconds 60] [--only arm|lateness|idle]
[--case NAME] [--isolation process|thread]

Every generated workflow has a schedule of its own, so each is its own APScheduler job (identical schedules share
one job; the script checks the job count). Lateness is measured where a person would notice it: from a fire's
planned moment to the first step of its run starting (the step_started event's time), with the real APScheduler,
engine (4 workers, each run in a worker process as in the app and the daemon; ``--isolation thread`` for runs on
threads of this process), history and files, while two other real workflow runs go on the same engine, each
resubmitted when it ends: ``cpu`` a for_each of 20,000 set steps (keeps the interpreter busy), ``io`` a for_each
writing a file then waiting 20 ms per item (a typical automation). Targets (issue 5): arm 1,000 < 2 s; 200 fires due
at the same second, p99 < 20 ms; idle 100 armed < 0.5 % of one core over 60 s. The 200-fire cases also print the
CPU the service's process and its run processes used from just before the first fire to the last first step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
if not os.environ.get("PYTHONPATH"):  # PYTHONPATH names the code to measure (another checkout, for "before")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import machine

from engine.io import read_text
from engine.runtime import Engine
from engine.runtime import events as ev
from engine.runtime.history import History
from engine.scheduling.service import Service

FLOW = """flowdeck: 1
name: w{i}
triggers:
  - schedule: {{{trigger}}}
policy: {{overlap: parallel}}
steps:
  a:
    do: log
    with: {{message: "fired {{{{ trigger.scheduled }}}}"}}
"""
LOADS = {
    "cpu": """flowdeck: 1
name: load
steps:
  each: {do: for_each, with: {items: "{{ range(20000) | list }}"}, next: {body: body}}
  body: {do: set, with: {values: {last: "{{ loop.item }}"}}}
""",
    "io": """flowdeck: 1
name: load
steps:
  each: {do: for_each, with: {items: "{{ range(200) | list }}"}, next: {body: write}}
  write: {do: file.write, with: {path: "%s/load-{{ run.id }}.txt", content: "{{ loop.item }}"}, next: pause}
  pause: {do: wait, with: {duration: 20ms}}
""",
}


def _workspace(root: Path, triggers: list[str]) -> Path:
    ws = root / "ws"
    ws.mkdir()
    for i, trigger in enumerate(triggers):
        (ws / f"w{i:04d}.yaml").write_text(FLOW.format(i=i, trigger=trigger), encoding="utf-8")
    return ws


ISOLATION = "process"


def _service(root: Path, ws: Path) -> Service:
    engine = Engine(workers=4, history=History(root / "history.sqlite3"), isolation=ISOLATION)
    return Service(ws, engine=engine, state_dir=root / "state", webhook_port=None)


def _jobs(svc: Service) -> int:
    return len(svc._scheduler.get_jobs())


class Lateness:
    """Per run: planned moment → Runner.start called (``start``) and → first step started (``step``), seconds."""

    def __init__(self, svc: Service) -> None:
        self.start: list[float] = []
        self.step: list[float] = []
        self._planned: dict[str, float] = {}
        self._seen: set[str] = set()
        svc.engine.subscribe(self._event)
        runner_start = svc._runner.start

        def timed(path: Path, policy: Any, runnable: Any, trigger: dict[str, Any], *args: Any, **kw: Any) -> Any:
            if "scheduled" in trigger:
                self.start.append(time.time() - datetime.fromisoformat(trigger["scheduled"]).timestamp())
            return runner_start(path, policy, runnable, trigger, *args, **kw)

        svc._runner.start = timed  # type: ignore[method-assign]

    def _event(self, e: ev.Event) -> None:
        if e.kind == ev.RUN_STARTED and "scheduled" in e.data.get("trigger", {}):
            self._planned[e.run_id] = datetime.fromisoformat(e.data["trigger"]["scheduled"]).timestamp()
        elif e.kind == ev.STEP_STARTED and e.run_id in self._planned and e.run_id not in self._seen:
            self._seen.add(e.run_id)
            self.step.append(e.time - self._planned[e.run_id])


class Load:
    """Two real workflow runs going all the time (each resubmitted when it ends) on the service's engine."""

    def __init__(self, engine: Engine, kind: str, folder: Path, runs: int = 2) -> None:
        text = LOADS[kind] % folder if "%s" in LOADS[kind] else LOADS[kind]
        wf, problems = read_text(text, "load.yaml")
        assert wf is not None and not [p for p in problems if p.is_error], problems
        self._engine, self._plan, self._stop = engine, engine.plan(wf), threading.Event()
        self.finished = 0
        for _ in range(runs):
            self._submit()

    def _submit(self) -> None:
        if not self._stop.is_set():
            self._engine.submit(self._plan, source="load").future.add_done_callback(self._again)

    def _again(self, _future: Any) -> None:
        self.finished += 1
        self._submit()

    def stop(self) -> None:
        self._stop.set()


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def lateness_at(n: int = 200, window: float = 1.0, load: str | None = "cpu") -> dict[str, float]:
    """``n`` workflows, each ``at`` a moment of its own, spread evenly over ``window`` seconds of one second."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        due = (datetime.now().astimezone() + timedelta(seconds=4)).replace(microsecond=0)
        moments = [due + timedelta(seconds=window * i / n) for i in range(n)]
        svc = _service(root, _workspace(root, [f'at: "{m.isoformat()}"' for m in moments]))
        late = Lateness(svc)
        svc.start()
        jobs = _jobs(svc)
        busy = Load(svc.engine, load, root) if load else None
        while time.time() < due.timestamp() - 0.1:  # CPU counted from just before the first fire
            time.sleep(0.01)
        pids = svc.engine.worker_pids()
        cpu0, kids0 = time.process_time(), _cpu_seconds(pids)
        end = time.monotonic() + 20
        while len(late.step) < n and time.monotonic() < end:
            time.sleep(0.05)
        cpu = (time.process_time() - cpu0, _cpu_seconds(pids) - kids0)  # to the last first step (clock ticks)
        if busy:
            busy.stop()
        svc.stop(grace=10)
        assert jobs == n, f"{jobs} APScheduler jobs for {n} distinct schedules"
        return {**_summary(late, n), "cpu_service": cpu[0] * 1000, "cpu_runs": cpu[1] * 1000}


def apscheduler_alone(n: int = 200, window: float = 1.0) -> dict[str, float]:
    """The baseline: the service's own APScheduler (engine.scheduling.jobs.new_scheduler) with ``n`` date jobs
    whose function only notes the time, at the same moments as ``lateness_at``."""
    from apscheduler.triggers.date import DateTrigger

    from engine.scheduling.jobs import new_scheduler

    scheduler, late, planned = new_scheduler(), [], {}
    due = (datetime.now().astimezone() + timedelta(seconds=3)).replace(microsecond=0)
    for i in range(n):
        moment = due + timedelta(seconds=window * i / n)
        planned[i] = moment.timestamp()
        scheduler.add_job(lambda i=i: late.append(time.time() - planned[i]), DateTrigger(moment), id=str(i),
                          misfire_grace_time=None)  # fmt: skip
    scheduler.start()
    end = time.monotonic() + 20
    while len(late) < n and time.monotonic() < end:
        time.sleep(0.05)
    scheduler.shutdown(wait=False)
    return {"start_p50": float("nan"), "start_p99": float("nan"), "p50": _pct(late, 0.5), "p99": _pct(late, 0.99),
            "max": _pct(late, 1.0), "runs": len(late)}  # fmt: skip


def lateness_interval(n: int = 50, seconds: float = 10.0, load: str = "cpu") -> dict[str, float]:
    """``n`` workflows every 1 s (each counted from when it was armed: ``n`` jobs) for ``seconds``, with the load."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        svc = _service(root, _workspace(root, ["every: 1s"] * n))
        late = Lateness(svc)
        svc.start()
        jobs = _jobs(svc)
        busy = Load(svc.engine, load, root)
        time.sleep(seconds)
        busy.stop()
        svc.stop(grace=10)
        assert jobs == n, f"{jobs} APScheduler jobs for {n} workflows"
        return _summary(late, None)


def _summary(late: Lateness, n: int | None) -> dict[str, float]:
    if n is not None and len(late.step) < n:
        print(f"  only {len(late.step)} of {n} runs started", file=sys.stderr)
    return {
        "start_p50": _pct(late.start, 0.5),
        "start_p99": _pct(late.start, 0.99),
        "p50": _pct(late.step, 0.5),
        "p99": _pct(late.step, 0.99),
        "max": _pct(late.step, 1.0),
        "runs": len(late.step),
    }


def _rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the worker processes ``pids`` (this process's own: time.process_time)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def idle(n: int = 100, seconds: float = 60.0) -> tuple[float, float, float]:
    """CPU (% of one core: this process's threads and its worker processes), this process's RSS and the workers'
    RSS, with ``n`` workflows armed on distinct yearly crons."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        svc = _service(root, _workspace(root, [f'cron: "{i % 60} {i // 60} 1 1 *"' for i in range(n)]))
        svc.start()
        assert _jobs(svc) == n
        time.sleep(2.0)  # let start-up work settle (the spare worker process starts)
        pids = svc.engine.worker_pids()
        cpu0, kids0, wall0 = time.process_time(), _cpu_seconds(pids), time.monotonic()
        time.sleep(seconds)
        used = time.process_time() - cpu0 + _cpu_seconds(pids) - kids0
        cpu = used / (time.monotonic() - wall0) * 100
        rss, workers = _rss_mb(), sum(_rss_mb(pid) for pid in pids)
        svc.stop(grace=2)
        return cpu, rss, workers


def arm(n: int = 1000) -> float:
    """Seconds for Service.start over ``n`` files (read, validate, compile, arm), each on a cron of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        svc = _service(root, _workspace(root, [f'cron: "{i % 60} {(i // 60) % 24} * * mon-fri"' for i in range(n)]))
        t0 = time.perf_counter()
        svc.start()
        took = time.perf_counter() - t0
        armed = sum(1 for info in svc.workflows() if info.valid and info.next_run is not None)
        jobs = _jobs(svc)
        svc.stop(grace=2)
        assert armed == n and jobs == n, f"{armed} of {n} armed, {jobs} jobs"
        return took


def _spread(values: list[float], fmt: str = "{:.1f}") -> str:
    return f"median {fmt.format(statistics.median(values))} ({', '.join(fmt.format(v) for v in values)})"


def _report(label: str, fn: Callable[[], dict[str, float]], rounds: int) -> None:
    runs = [fn() for _ in range(rounds)]
    print(f"{label} ({runs[0]['runs']:.0f} runs each), ms:")
    for key, name in (("p50", "p50"), ("p99", "p99"), ("max", "max"), ("start_p99", "p99 to Runner.start")):
        print(f"  {name:>19}: {_spread([r[key] for r in runs])}")
    if "cpu_service" in runs[0]:  # CPU until the last first step: moves less with the machine's load than lateness
        print(f"  {'CPU, service':>19}: {_spread([r['cpu_service'] for r in runs], '{:.0f}')}")
        print(f"  {'CPU, run processes':>19}: {_spread([r['cpu_runs'] for r in runs], '{:.0f}')}")


LATENESS = {
    "spread, cpu load": lambda: lateness_at(load="cpu"),
    "spread, io load": lambda: lateness_at(load="io"),
    "spread, no load": lambda: lateness_at(load=None),
    "20 ms, cpu load": lambda: lateness_at(window=0.02, load="cpu"),
    "20 ms, io load": lambda: lateness_at(window=0.02, load="io"),
    "20 ms, no load": lambda: lateness_at(window=0.02, load=None),
    "same second, no load": lambda: lateness_at(window=0.001, load=None),
    "APScheduler alone, same second": lambda: apscheduler_alone(window=0.001),
    "APScheduler alone, spread": lambda: apscheduler_alone(window=1.0),
    "every 1 s, cpu load": lambda: lateness_interval(load="cpu"),
    "every 1 s, io load": lambda: lateness_interval(load="io"),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--only", choices=("arm", "lateness", "idle"))
    parser.add_argument("--case", choices=list(LATENESS), action="append", help="lateness cases (default: all)")
    parser.add_argument("--isolation", choices=("process", "thread"), default="process", help="where runs execute")
    args = parser.parse_args()
    global ISOLATION
    ISOLATION = args.isolation
    print(machine())
    if args.only in (None, "arm"):
        print(f"arm 1,000 workflows (1,000 jobs), s: {_spread([arm() for _ in range(args.rounds)], '{:.2f}')}")
    if args.only in (None, "lateness"):
        for case in args.case or list(LATENESS):
            what = "200 'at' fires" if not case.startswith("every") else "50 workflows every 1 s for 10 s"
            _report(f"{what}: {case}", LATENESS[case], args.rounds)
    if args.only in (None, "idle"):
        runs = [idle(seconds=args.idle_seconds) for _ in range(args.rounds)]
        cpu = _spread([r[0] for r in runs], "{:.3f}")
        rss = _spread([r[1] for r in runs], "{:.0f}")
        workers = _spread([r[2] for r in runs], "{:.0f}")
        print(f"idle, 100 armed, {args.idle_seconds:.0f} s: CPU % of one core {cpu}; RSS MB {rss}; workers {workers}")


if __name__ == "__main__":
    main()
