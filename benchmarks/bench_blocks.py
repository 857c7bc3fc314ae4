"""Block costs: loading every block module, and the fixed overhead of the blocks that start processes or
talk to a server. Run: .venv/bin/python benchmarks/bench_blocks.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import machine, median_time

from engine.blocks.files import write_file
from engine.blocks.programs import run_program
from engine.blocks.python import run_python
from engine.blocks.web import http_request
from tests.engine.blocks.conftest import Ctx


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def registry_load() -> tuple[float, float, float]:
    """Fresh-process medians (ms) of importing the registry, the built-in blocks, and the plugin scan,
    with compiled bytecode cached as an installed app has it."""
    import os
    import statistics

    code = (
        "import time\nt0 = time.perf_counter()\nimport engine.registry.blocks as b\nt1 = time.perf_counter()\n"
        "b._import_builtins()\nt2 = time.perf_counter()\nb._load_plugins()\nt3 = time.perf_counter()\n"
        "print((t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="flowdeck-pyc-")
    root = Path(__file__).resolve().parents[1]
    runs = []
    for _ in range(8):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root).stdout
        runs.append([float(v) for v in out.split()])
    runs = runs[1:]  # the first run writes the bytecode cache
    return tuple(statistics.median(r[i] for r in runs) for i in range(3))  # type: ignore[return-value]


def flood_memory() -> tuple[float, float]:
    """Peak memory (MB) of a fresh process before and after program.run reads 100 MB of output."""
    code = (
        "import resource, sys, tempfile\nfrom pathlib import Path\n"
        "from engine.blocks.programs import run_program\nfrom tests.engine.blocks.conftest import Ctx\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "flood = \"import sys\\nfor _ in range(100): sys.stdout.write('x' * 1048576)\"\n"
        "run_program(Ctx(Path(tempfile.mkdtemp())), [sys.executable, '-c', flood])\n"
        "print(before / 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True).stdout
    before, after = (float(v) for v in out.split())
    return before, after


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="flowdeck-bench-"))
    ctx = Ctx(folder)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    flood = "import sys\nfor _ in range(100): sys.stdout.write('x' * 1048576)"
    results = {
        "program.run 'true'": median_time(lambda: run_program(ctx, ["true"]))[0],
        "python.run 'result = 1'": median_time(lambda: run_python(ctx, code="result = 1"))[0],
        "http.request to 127.0.0.1": median_time(lambda: http_request(ctx, url))[0],
        "file.write 1 KB (atomic)": median_time(lambda: write_file(ctx, "a.txt", "x" * 1024))[0],
        "program.run flooding 100 MB": median_time(lambda: run_program(ctx, [sys.executable, "-c", flood]), 3)[0],
    }
    server.shutdown()
    print(f"machine: {machine()}")
    registry, builtins, plugins = registry_load()
    print(f"fresh process, bytecode cached: import registry {registry:.1f} ms, built-in blocks {builtins:.1f} ms,")
    print(f"  plugin entry-point scan {plugins:.1f} ms (medians of 7)")
    for name, seconds in results.items():
        print(f"{name:36s} {seconds * 1000:8.1f} ms (median)")
    before, after = flood_memory()
    print(f"peak memory around a 100 MB flood:   {before:.0f} MB -> {after:.0f} MB")


if __name__ == "__main__":
    main()
