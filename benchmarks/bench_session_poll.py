"""What the polling session and device triggers (Windows/macOS style) cost, measured on Linux: one look at the
network interfaces and the battery through psutil, the X11 idle time, psutil's import, and each watcher's CPU
while nothing happens (the helpers are bench_desktop_poll.py's).

.venv/bin/python benchmarks/bench_session_poll.py    (needs Xvfb, as the desktop tests)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine  # noqa: E402
from benchmarks.bench_desktop_poll import _cpu_while_idle, _ms, _timed, _xvfb  # noqa: E402


def _import_psutil() -> list[float]:
    """Seconds a fresh interpreter spends importing psutil (5 runs)."""
    code = "import time; t = time.perf_counter(); import psutil; print(time.perf_counter() - t)"
    return [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(5)]  # fmt: skip


def main() -> None:
    print(machine(), "load average", " ".join(f"{v:.1f}" for v in os.getloadavg()))
    xvfb, name = _xvfb()
    os.environ["DISPLAY"] = name
    try:
        from engine.desktop import backend
        from engine.desktop.poll_device import PollDeviceWatch, read_network, read_power
        from engine.desktop.poll_session import PollSessionWatch

        b = backend()
        print(f"import psutil: median {_ms(_import_psutil())}")
        count = len(read_network())
        print(f"read_network ({count} interfaces): median {_ms([_timed(read_network) for _ in range(200)])}")
        print(f"read_power: median {_ms([_timed(read_power) for _ in range(200)])}")
        print(f"X11 idle_seconds: median {_ms([_timed(b.idle_seconds) for _ in range(200)])}")
        net = _cpu_while_idle(lambda: PollDeviceWatch("network", ["added", "removed", "changed"], print))
        power = _cpu_while_idle(lambda: PollDeviceWatch("power", ["changed"], print))
        session = _cpu_while_idle(lambda: PollSessionWatch(["idle", "sleep", "wake"], 600, print, b.idle_seconds))
        print(f"CPU while idle (ms per s): network poll {net:.3f}, power poll {power:.3f}, session poll {session:.3f}")
    finally:
        xvfb.terminate()
        xvfb.wait(10)


if __name__ == "__main__":
    main()
