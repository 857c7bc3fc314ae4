"""The bundled app against the source tree: time from launch until the window is on screen, and `--version`.

Needs a built bundle (``./dev package`` → dist/flowdeck/). Starts its own Xvfb and trayer; each launch gets fresh
user folders, and the time ends when ``xdotool`` sees a visible window named Flowdeck (what a person sees).
Run: .venv/bin/python benchmarks/bench_package.py [--runs 5] [--bundle dist/flowdeck/flowdeck]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import machine
from bench_app import make_home

from tests.support.xdisplay import XDisplay, start_xvfb

ROOT = Path(__file__).resolve().parents[1]


def window_time(x: XDisplay, cmd: list[str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = x.env(**make_home(Path(tmp), {}), PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while time.perf_counter() - t0 < 60:
                found = subprocess.run(
                    ["xdotool", "search", "--onlyvisible", "--name", "Flowdeck"], env=env, capture_output=True
                )
                if found.stdout.strip():
                    return time.perf_counter() - t0
                time.sleep(0.01)
            raise SystemExit(f"no window from {cmd}")
        finally:
            proc.terminate()
            proc.wait(20)


def version_time(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([*cmd, "--version"], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "flowdeck" / "flowdeck")
    args = parser.parse_args()
    x = start_xvfb()
    tray = subprocess.Popen(["trayer", "--edge", "top"], env=x.env(), stderr=subprocess.DEVNULL)
    try:
        print(machine())
        for label, cmd in (("bundle", [str(args.bundle)]), ("python -m gui", [sys.executable, "-m", "gui"])):
            window_time(x, cmd)  # warm the page cache once
            shown = [window_time(x, cmd) for _ in range(args.runs)]
            print(
                f"{label:18} window shown: median {statistics.median(shown):.3f} s "
                f"({', '.join(f'{t:.2f}' for t in shown)}); --version: {version_time(cmd, args.runs):.3f} s"
            )
    finally:
        tray.terminate()
        x.proc.terminate()


if __name__ == "__main__":
    main()
