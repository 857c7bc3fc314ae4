"""`flowdeck run` on a real pseudo-terminal shows a for_each as one progress bar; into a pipe it lists every step."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

LOOP = """flowdeck: 1
name: Slow loop
steps:
  each: {do: for_each, with: {items: 12}, next: {body: pause, done: after}}
  pause: {do: wait, with: {duration: 0.12s}}
  after: {do: log, with: {message: "all {{ steps.each.count }} done"}}
"""


def _on_pty(args: list[str], timeout: float = 60) -> tuple[int, str]:
    """Run ``args`` with stdin/stdout/stderr on a new pseudo-terminal; return its exit code and all it wrote."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = proc.wait(10)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_redrawn_in_place_on_a_terminal(tmp_path: Path) -> None:
    flow = tmp_path / "loop.yaml"
    flow.write_text(LOOP, "utf-8")
    code, out = _on_pty([sys.executable, "-m", "engine", "run", str(flow), "--no-history"])
    assert code == 0, out
    redraws = [part for part in out.split("\r") if part.startswith("    each [")]
    assert len(redraws) >= 2, out  # drawn more than once, each time from the start of the line
    assert redraws[-1].split("\n")[0].rstrip().endswith("[" + "#" * 30 + "] 12/12"), out
    assert "→ pause" not in out and "✓ pause" not in out, out  # the rounds' steps are summed up by the bar
    assert "✓ each" in out and "all 12 done" in out and "succeeded" in out


def test_into_a_pipe_every_step_is_listed_and_no_bar(tmp_path: Path) -> None:
    flow = tmp_path / "loop.yaml"
    flow.write_text(LOOP.replace("items: 12", "items: 3"), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "engine", "run", str(flow), "--no-history"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stdout and "[###" not in done.stdout
    assert done.stdout.count("✓ pause") == 3 and "all 3 done" in done.stdout
