"""The webhook server: what reading and checking a body costs, and how fast a call is answered.

Run: .venv/bin/python benchmarks/bench_webhook.py [--calls 300] [--rounds 3] [--only parse|calls]

``parse``: parsing a body as a run will see it (engine.scheduling.hook_request.parse_body: json.loads plus the
nesting check) against json.loads alone, for bodies a hook gets (a 200-byte event, a 100 KB list of records, a
1 MB flat list, 64 levels deep). ``calls``: a real Service (worker processes, as in the app and the daemon) with one
``overlap: parallel`` hook; ``--calls`` sequential POSTs, on one kept-alive connection and each on a new one, from
sending to the 202 answer (the run starts; its result is not waited for). With the code of another checkout on
PYTHONPATH it measures that one (the hook uses an explicit token, which every version accepts).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
if not os.environ.get("PYTHONPATH"):  # PYTHONPATH names the code to measure (another checkout, for "before")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import PlainServer, keepalive_load, load_average, machine, spread

FLOW = """flowdeck: 1
name: bench
triggers:
  - webhook: {path: bench, token: s3cret}
policy: {overlap: parallel}
steps:
  a: {do: log, with: {message: "got {{ trigger.body | length }}"}}
"""
BODIES = {
    "200 B event": json.dumps(
        {
            "event": "motion",
            "room": "hall",
            "level": 3,
            "at": "2026-12-02T21:00:00Z",
            "tags": ["a", "b"],
            "device": {"id": "x-17", "battery": 0.82},
        }
    ),
    "100 KB records": json.dumps([{"id": i, "name": f"item {i}", "ok": i % 2 == 0} for i in range(2000)]),
    "1 MB flat list": json.dumps(list(range(140_000))),
    "64 levels": "[" * 64 + "]" * 64,
}


def _median_us(fn: Callable[[], object], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def parse() -> None:
    try:
        from engine.scheduling import hook_request
    except ImportError:
        hook_request = None
    if hook_request is None or not hasattr(hook_request, "parse_body"):
        print("parse: this checkout has no body checks (engine.scheduling.hook_request.parse_body)")
        return
    limit = hook_request.MAX_DEPTH
    head = Message()
    head["Content-Type"] = "application/json"
    print("a body, median µs: json.loads / the nesting check alone / parse_body (all it does: decode, parse, check)")
    for name, text in BODIES.items():
        raw = text.encode()
        value = json.loads(text)
        repeat = 2000 if len(raw) < 10_000 else 30

        def check(text: str = text, value: object = value) -> bool:
            return text.count("[") + text.count("{") > limit and hook_request._deeper(value, limit)

        loads = _median_us(lambda text=text: json.loads(text), repeat)
        alone = _median_us(check, repeat)
        whole = _median_us(lambda raw=raw: hook_request.parse_body(head, raw), repeat)
        print(f"  {name:>15} ({len(raw):>9,} B): {loads:9.1f} / {alone:8.1f} / {whole:9.1f}")


def calls(n: int, rounds: int, fresh: bool) -> None:
    """``n`` sequential POSTs: on one kept-alive connection, or (``fresh``) each on a new one, as urllib does."""
    from engine.scheduling.service import Service

    body = BODIES["200 B event"].encode()
    head = {"Content-Type": "application/json", "X-Flowdeck-Token": "s3cret"}
    results = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            ws = Path(tmp) / "ws"
            ws.mkdir()
            (ws / "bench.yaml").write_text(FLOW, encoding="utf-8")
            svc = Service(ws, state_dir=Path(tmp) / "state", webhook_port=0)
            svc.start()
            try:
                url = svc.webhook_url(ws / "bench.yaml")
                assert url is not None
                port = int(url.split(":")[2].split("/")[0])
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                times = []
                for i in range(n + 20):
                    t0 = time.perf_counter()
                    if fresh:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                    conn.request("POST", "/hook/bench", body=body, headers=head)
                    answer = conn.getresponse()
                    answer.read()
                    if fresh:
                        conn.close()
                    assert answer.status == 202, answer.status
                    if i >= 20:  # the first calls warm the run processes
                        times.append((time.perf_counter() - t0) * 1000)
                conn.close()
                deadline = time.monotonic() + 60
                while svc.engine.active() and time.monotonic() < deadline:
                    time.sleep(0.05)
            finally:
                svc.stop(grace=5)
        times.sort()
        results.append((statistics.median(times), times[int(len(times) * 0.99) - 1]))
    p50 = ", ".join(f"{r[0]:.2f}" for r in results)
    p99 = ", ".join(f"{r[1]:.2f}" for r in results)
    how = "each on a new connection" if fresh else "on one kept-alive connection"
    print(f"{n} POSTs (200 B JSON) {how}, to the 202, ms: p50 {statistics.median(r[0] for r in results):.2f} "
          f"({p50}); p99 {statistics.median(r[1] for r in results):.2f} ({p99})")  # fmt: skip


def server(n: int, rounds: int) -> None:
    """The HTTP part alone: a WebhookServer whose ``fire`` returns at once (no run, no history), ``n`` sequential
    POSTs on one kept-alive connection; the CPU its connection's thread spends per request (``time.thread_time``
    around each request: little moved by other processes' load, unlike calls/s)."""
    import types

    from engine.scheduling import webhook

    hook = webhook.Hook(Path("bench.yaml"), "s3cret", methods=("POST",), overlap="parallel")
    handle = types.SimpleNamespace(run_id="0123456789ab")
    spent: list[float] = []
    one = webhook._Handler.handle_one_request

    def timed(self: Any) -> None:
        t0 = time.thread_time()
        one(self)
        spent.append(time.thread_time() - t0)

    webhook._Handler.handle_one_request = timed  # type: ignore[method-assign]
    body = BODIES["200 B event"].encode()
    head = {"Content-Type": "application/json", "X-Flowdeck-Token": "s3cret"}
    per = []
    for _ in range(rounds):
        srv = webhook.WebhookServer(0, lambda name: hook if name == "bench" else None, lambda path, trigger: handle)
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=20)
        spent.clear()
        for _ in range(n + 100):
            conn.request("POST", "/hook/bench", body=body, headers=head)
            answer = conn.getresponse()
            answer.read()
            assert answer.status == 202, answer.status
        conn.close()
        srv.stop()
        per.append(statistics.median(spent[100:]) * 1e6)
    webhook._Handler.handle_one_request = one  # type: ignore[method-assign]
    print(f"the HTTP part of a call (fire stubbed), CPU of the connection's thread per request, median of "
          f"{n}: {spread(per, '{:.1f}')} µs  [{', '.join(f'{v:.1f}' for v in per)}]")  # fmt: skip


def _service(tmp: Path) -> Any:
    """A Service as the daemon runs it (4 run processes, a history) with the bench hook, started."""
    from engine.runtime import Engine
    from engine.runtime.history import History
    from engine.scheduling.service import Service

    ws = tmp / "ws"
    ws.mkdir()
    (ws / "bench.yaml").write_text(FLOW, encoding="utf-8")
    history = History(tmp / "history.sqlite3", keep_runs=100_000)
    engine = Engine(workers=4, history=history, isolation="process")
    svc = Service(ws, engine=engine, state_dir=tmp / "state", webhook_port=0)
    svc.start()
    return svc


def _drain(svc: Any) -> None:
    deadline = time.monotonic() + 120
    while svc.engine.active() and time.monotonic() < deadline:
        time.sleep(0.05)
    svc.stop(grace=30)


def serve(tmp: Path) -> None:
    """``--serve``: the service in a process of its own, as the daemon runs it; prints its port and pid, serves
    until stdin closes, then lets the runs drain and stops."""
    svc = _service(tmp)
    url = svc.webhook_url(tmp / "ws" / "bench.yaml")
    assert url is not None
    print(url.split(":")[2].split("/")[0], os.getpid(), flush=True)
    sys.stdin.read()
    _drain(svc)


def _finished(history: Path, runs: int, timeout: float = 120.0) -> float:
    """Seconds until the history shows ``runs`` succeeded runs (read as any SQLite reader would)."""
    import sqlite3

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        with sqlite3.connect(f"file:{history}?mode=ro", uri=True, timeout=10) as db:
            if db.execute("SELECT count(*) FROM runs WHERE status = 'succeeded'").fetchone()[0] >= runs:
                break
        time.sleep(0.02)
    return time.perf_counter() - t0


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far, its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Apart:
    """The service of ``serve`` in a child process (same interpreter, same PYTHONPATH)."""

    def __init__(self, tmp: Path) -> None:
        import subprocess

        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", str(tmp)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert self.proc.stdout is not None
        port, pid = self.proc.stdout.readline().split()
        self.port, self.pid = int(port), int(pid)

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(180)


def load(rounds: int, seconds: float, apart: bool = False) -> None:
    """8 kept-alive clients for ``seconds``: a plain stdlib server, the hook's 202, the hook with ``?wait=1``;
    then every accepted call must be in the history. ``apart``: the service runs in a process of its own (as the
    daemon, and as Node-RED in benchmarks/peers), not in the client's interpreter."""
    import sqlite3

    body = BODIES["200 B event"].encode()
    head = {"Content-Type": "application/json", "X-Flowdeck-Token": "s3cret"}
    res: dict[str, list[float]] = {}
    print(load_average())
    for _ in range(rounds):
        plain = PlainServer()
        got = keepalive_load(plain.port, "/hook/bench", body, head, seconds=seconds)
        plain.close()
        res.setdefault("plain", []).append(got["rate"])
        res.setdefault("plain_p50", []).append(got["p50"])
        with tempfile.TemporaryDirectory() as tmp:
            child = _Apart(Path(tmp)) if apart else None
            svc = None if child else _service(Path(tmp))
            try:
                if child:
                    port = child.port
                else:
                    url = svc.webhook_url(Path(tmp) / "ws" / "bench.yaml")
                    assert url is not None
                    port = int(url.split(":")[2].split("/")[0])
                accepted = 0
                for path, key in (("/hook/bench", "hook"), ("/hook/bench?wait=1", "wait")):
                    cpu = _cpu(child.pid) if child else 0.0
                    got = keepalive_load(port, path, body, head, seconds=seconds)
                    assert got["bad"] == 0, got
                    accepted += int(got["calls"]) + 8 * 20  # the warm-up calls were accepted too
                    # the runs accepted but not run yet are let finish before the next measure (and counted in it)
                    after = _finished(Path(tmp) / "history.sqlite3", accepted)
                    if child:  # the service process's CPU per call (its run processes not counted)
                        res.setdefault(key + "_cpu", []).append((_cpu(child.pid) - cpu) / (got["calls"] + 160) * 1e6)
                    res.setdefault(key + "_drain", []).append(after)
                    res.setdefault(key, []).append(got["rate"])
                    res.setdefault(key + "_p50", []).append(got["p50"])
            finally:
                child.stop() if child else _drain(svc)
            with sqlite3.connect(Path(tmp) / "history.sqlite3") as db:
                recorded = db.execute("SELECT count(*) FROM runs WHERE status = 'succeeded'").fetchone()[0]
            res.setdefault("lost", []).append(accepted - recorded)
    where = "the service in a process of its own" if apart else "the service in the client's process"
    print(f"8 kept-alive clients, {seconds:g} s each, {where}, median (range) of {rounds}:")
    plain, plain_p50 = spread(res["plain"], "{:.0f}"), spread(res["plain_p50"], "{:.2f}")
    print(f"  plain stdlib server: {plain} calls/s, p50 {plain_p50} ms")
    for key, what in (("hook", "hook, to the 202"), ("wait", "hook ?wait=1, to the result")):
        ratio = [a / b for a, b in zip(res[key], res["plain"], strict=True)]
        drained = [s + d for s, d in zip([seconds] * len(res[key]), res[key + "_drain"], strict=True)]
        whole = [r * seconds / t for r, t in zip(res[key], drained, strict=True)]
        print(f"  {what}: the last accepted run finished {spread(res[key + '_drain'], '{:.2f}')} s after the load; "
              f"calls accepted and run per second {spread(whole, '{:.0f}')}")  # fmt: skip
        if key + "_cpu" in res:
            print(f"  {what}: the service process's CPU per call {spread(res[key + '_cpu'], '{:.0f}')} µs")
        print(f"  {what}: {spread(res[key], '{:.0f}')} calls/s, p50 {spread(res[key + '_p50'], '{:.2f}')} ms; "
              f"{spread(ratio, '{:.2f}')}x the plain server  [{', '.join(f'{v:.0f}' for v in res[key])}]")  # fmt: skip
    print(f"  accepted but not in the history: {res['lost']}")
    print(load_average())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("parse", "calls", "load", "server"))
    parser.add_argument("--seconds", type=float, default=3.0, help="of each 8-client load")
    parser.add_argument("--apart", action="store_true", help="load: the service in a process of its own")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the child of --apart
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    print(machine())
    if args.only in (None, "parse"):
        parse()
    if args.only in (None, "calls"):
        calls(args.calls, args.rounds, fresh=False)
        calls(args.calls, args.rounds, fresh=True)
    if args.only in (None, "server"):
        server(args.calls * 10, args.rounds)
    if args.only in (None, "load"):
        load(args.rounds, args.seconds, args.apart)


if __name__ == "__main__":
    main()
