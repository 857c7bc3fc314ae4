"""Small helpers shared by the benchmark scripts (not part of the test suite)."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def machine() -> str:
    cpus = os.cpu_count()
    return f"{platform.system()} {platform.machine()}, {cpus} cores, Python {platform.python_version()}"


def median_time(fn: Callable[[], object], repeat: int = 7) -> tuple[float, list[float]]:
    """Median wall time of ``fn`` in seconds over ``repeat`` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def generated_workflow(steps: int = 1000, notes: int = 0, groups: int = 0) -> str:
    """A linear workflow of ``steps`` log/set steps with templates, a layout, and a few branches; with ``notes``
    sticky notes (Markdown) and ``groups`` groups of 10 steps each on its canvas."""
    lines = ["flowdeck: 1", f"name: Generated {steps}", "vars:", "  who: world", "steps:"]
    for i in range(steps):
        lines.append(f"  s{i}:")
        if i % 2:
            lines.append("    do: set")
            lines.append(f'    with: {{values: {{n{i}: "{{{{ vars.who }}}} {i}"}}}}')
        else:
            lines.append("    do: log")
            lines.append(f'    with: {{message: "step {i} for {{{{ vars.who }}}}", level: info}}')
        if i + 1 < steps:
            lines.append(f"    next: s{i + 1}")
    lines.append("layout:")
    for i in range(steps):
        lines.append(f"  s{i}: [{(i % 20) * 240}, {(i // 20) * 140}]")
    for n in range(notes):
        x, y = (n % 10) * 480, (n // 10) * 1400 - 100
        lines.append(f'  note {n}: {{at: [{x}, {y}], size: [220, 90], text: "**Note {n}**: why *this* part"}}')
    for g in range(groups):
        members = ", ".join(f"s{g * 50 + k}" for k in range(10))
        lines.append(f"  group Part {g}: {{colour: green, steps: [{members}]}}")
    return "\n".join(lines) + "\n"


def keepalive_load(port: int, path: str, body: bytes, headers: dict[str, str], *, clients: int = 8,
                   seconds: float = 3.0, warm: int = 20) -> dict[str, float]:  # fmt: skip
    """``clients`` threads, each POSTing ``body`` to 127.0.0.1:``port`` ``path`` on one kept-alive connection for
    ``seconds``: calls/s, p50/p99 ms, and how many answers were not 2xx. The same client for Flowdeck and its
    peers (benchmarks/peers), so the ratios compare servers, not clients."""
    import http.client
    import threading

    times: list[float] = []
    bad = [0]
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(warm):
            conn.request("POST", path, body=body, headers=headers)
            conn.getresponse().read()
        start.wait()
        mine = []
        while time.perf_counter() < stop_at[0]:
            t0 = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            answer = conn.getresponse()
            answer.read()
            mine.append(time.perf_counter() - t0)
            if not 200 <= answer.status < 300:
                bad[0] += 1
        conn.close()
        times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + 3600
    start.wait()
    t0 = time.perf_counter()
    stop_at[0] = t0 + seconds
    for t in threads:
        t.join()
    took = time.perf_counter() - t0
    times.sort()
    return {"rate": len(times) / took, "p50": statistics.median(times) * 1000,
            "p99": times[int(len(times) * 0.99)] * 1000, "bad": bad[0], "calls": len(times)}  # fmt: skip


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    """``median (min–max)`` of several rounds."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class PlainServer:
    """The baseline: the stdlib's ThreadingHTTPServer answering every POST with a small JSON 202, kept alive."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                data = b'{"run_id": "0123456789ab", "status": "accepted"}'
                self.send_response(202)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        Handler.setup = lambda h: (BaseHTTPRequestHandler.setup(h), h.connection.setsockopt(6, 1, 1))  # NODELAY
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
