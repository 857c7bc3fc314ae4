"""Without --broker nothing of the broker is imported: `import engine` and `flowdeck daemon` stay as light."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_import_engine_and_a_daemon_without_broker_load_neither_dramatiq_nor_redis(tmp_path: Path) -> None:
    code = "import sys, engine, engine.runtime, engine.scheduling.service, engine.cli.cmd_daemon; " \
           "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dramatiq', 'redis')))"  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "[]"
    env = {"HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "s"), "XDG_DATA_HOME": str(tmp_path / "d"),
           "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "engine", "daemon", str(tmp_path), "--port",
                             "0"], stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)  # fmt: skip
    time.sleep(0.1)
    deadline = time.monotonic() + 20
    log = ""
    assert proc.stderr is not None
    while time.monotonic() < deadline and "watching" not in log:
        log += proc.stderr.readline()
    proc.send_signal(signal.SIGTERM)
    log += proc.stderr.read()
    assert proc.wait(20) == 0 and "watching" in log, log[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in log.splitlines() if "import time:" in line}
    assert "engine" in imported and not imported & {"dramatiq", "redis"}
