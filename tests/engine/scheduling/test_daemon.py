"""``flowdeck daemon`` as a real subprocess: SIGTERM stops it with exit code 0 within the grace period."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

FLOW = """flowdeck: 1
name: tick
triggers:
  - startup: {}
steps:
  a:
    do: file.write
    with: {path: "%s", content: x}
"""


def test_sigterm_exits_within_grace(tmp_path: Path) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out.txt"
    ws.mkdir()
    (ws / "a.yaml").write_text(FLOW % out, encoding="utf-8")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "flowdeck"), "daemon", str(ws), "--grace", "3", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        end = time.monotonic() + 30
        while not out.exists() and time.monotonic() < end:
            time.sleep(0.1)
        assert out.exists(), "the startup trigger did not run"
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
