"""The scheduling service: fire lateness, idle CPU with 100 armed workflows, time to arm 1,000 workflows.

Run: .venv/bin/python benchmarks/bench_scheduler.py [--rounds 3] [--idle-seconds 60] [--only lateness|idle|arm]
Lateness is the time from a fire's planned moment to the service starting its run (after overlap/catch-up checks),
measured inside the process with the real APScheduler, engine and files. Targets (issue 5): arm 1,000 < 2 s;
200 fires due at the same second, p99 < 20 ms; idle 100 armed < 0.5 % of one core over 60 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import machine

from engine.runtime import Engine
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


def _workspace(root: Path, n: int, trigger: str) -> Path:
    ws = root / "ws"
    ws.mkdir()
    for i in range(n):
        (ws / f"w{i:04d}.yaml").write_text(FLOW.format(i=i, trigger=trigger), encoding="utf-8")
    return ws


def _service(root: Path, ws: Path) -> Service:
    return Service(ws, engine=Engine(workers=4), state_dir=root / "state", webhook_port=None)


def _record_lateness(svc: Service, out: list[float]) -> None:
    """Wrap the service's run starter to note, for each schedule fire, how late after its planned moment it is."""
    start = svc._runner.start

    def timed(path: Path, policy: Any, runnable: Any, trigger: dict[str, Any]) -> Any:
        if "scheduled" in trigger:
            out.append(time.time() - datetime.fromisoformat(trigger["scheduled"]).timestamp())
        return start(path, policy, runnable, trigger)

    svc._runner.start = timed  # type: ignore[method-assign]


def _busy(stop: threading.Event) -> None:
    while not stop.is_set():
        sum(range(10_000))


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def lateness_same_second(n: int = 200, busy: bool = False) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        due = (datetime.now().astimezone() + timedelta(seconds=4)).replace(microsecond=0)
        ws = _workspace(root, n, f'at: "{due.isoformat()}"')
        svc, late = _service(root, ws), []
        stop = threading.Event()
        if busy:
            threading.Thread(target=_busy, args=(stop,), daemon=True).start()
        svc.start()
        _record_lateness(svc, late)
        end = time.monotonic() + 15
        while len(late) < n and time.monotonic() < end:
            time.sleep(0.05)
        stop.set()
        svc.stop(grace=10)
        return _pct(late, 0.5) * 1000, _pct(late, 0.99) * 1000, len(late)


def lateness_interval(n: int = 50, seconds: float = 10.0) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = _workspace(root, n, "every: 1s")
        svc, late = _service(root, ws), []
        svc.start()
        _record_lateness(svc, late)
        time.sleep(seconds)
        svc.stop(grace=10)
        return _pct(late, 0.5) * 1000, _pct(late, 0.99) * 1000, len(late)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def idle(n: int = 100, seconds: float = 60.0) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = _workspace(root, n, 'cron: "0 3 1 1 *"')
        svc = _service(root, ws)
        svc.start()
        time.sleep(2.0)  # let start-up work settle
        cpu0, wall0 = time.process_time(), time.monotonic()
        time.sleep(seconds)
        cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0) * 100
        rss = _rss_mb()
        svc.stop(grace=2)
        return cpu, rss


def arm(n: int = 1000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = _workspace(root, n, 'cron: "0 8 * * mon-fri"')
        svc = _service(root, ws)
        t0 = time.perf_counter()
        svc.start()
        took = time.perf_counter() - t0
        armed = sum(1 for info in svc.workflows() if info.valid and info.next_run is not None)
        svc.stop(grace=2)
        assert armed == n, f"only {armed} of {n} armed"
        return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--only", choices=("lateness", "idle", "arm"))
    args = parser.parse_args()
    print(machine())
    med = statistics.median
    if args.only in (None, "arm"):
        times = [arm() for _ in range(args.rounds)]
        print(f"arm 1,000 workflows: median {med(times):.2f} s  ({', '.join(f'{t:.2f}' for t in times)})")
    if args.only in (None, "lateness"):
        for label, fn in (
            ("200 'at' fires in the same second", lambda: lateness_same_second()),
            ("same, with a busy Python thread", lambda: lateness_same_second(busy=True)),
            ("50 workflows every 1s for 10 s", lambda: lateness_interval()),
        ):
            runs = [fn() for _ in range(args.rounds)]
            p50, p99 = med(r[0] for r in runs), med(r[1] for r in runs)
            print(
                f"{label}: lateness p50 {p50:.1f} ms, p99 {p99:.1f} ms (medians of {args.rounds}; fires {runs[0][2]})"
            )
    if args.only in (None, "idle"):
        runs = [idle(seconds=args.idle_seconds) for _ in range(args.rounds)]
        cpu, rss = med(r[0] for r in runs), med(r[1] for r in runs)
        print(f"idle, 100 armed, {args.idle_seconds:.0f} s: {cpu:.3f} % of one core, RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
