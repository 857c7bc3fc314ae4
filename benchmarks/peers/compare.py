"""Flowdeck and Node-RED side by side, in interleaved rounds (issue 19): each round runs Node-RED's measures, then
Flowdeck's (process isolation, as the app and the daemon run), so that both see the same load of a shared machine.

Run: .venv/bin/python benchmarks/peers/compare.py [--rounds 3] [--webhooks]

Each script prints its own figures and its ratio to a same-run baseline (a plain stdlib HTTP server under the same
client; a bare jinja2 render; APScheduler alone); benchmarks/README.md, "Compared with Node-RED", has the results.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
RUNS = [
    ["peers/bench_nodered.py", "--rounds", "1", "--only", "rate", "--only", "hook", "--only", "chain",
     "--only", "cron"],
    ["bench_runtime.py", "--isolation", "process", "--repeat", "1", "--only", "step", "--only", "rps"],
    ["bench_webhook.py", "--only", "load", "--rounds", "1"],
    ["bench_scheduler.py", "--only", "lateness", "--rounds", "1", "--case", "same second, no load",
     "--case", "APScheduler alone, same second", "--case", "spread, no load", "--case", "APScheduler alone, spread"],
]  # fmt: skip
WEBHOOKS = [  # --webhooks: only the webhook measures, the service also in a process of its own (as the daemon runs)
    ["peers/bench_nodered.py", "--rounds", "1", "--only", "hook"],
    ["bench_webhook.py", "--only", "load", "--rounds", "1", "--apart"],
    ["bench_webhook.py", "--only", "load", "--rounds", "1"],
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--webhooks", action="store_true", help="only the webhook measures of both products")
    args = parser.parse_args()
    for round_ in range(1, args.rounds + 1):
        for script in WEBHOOKS if args.webhooks else RUNS:
            print(f"== round {round_}: {' '.join(script)} ({' '.join(f'{x:.2f}' for x in os.getloadavg())})",
                  flush=True)  # fmt: skip
            subprocess.run([sys.executable, str(BENCH / script[0]), *script[1:]], check=False, timeout=900)


if __name__ == "__main__":
    main()
