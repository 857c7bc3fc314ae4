"""The product as a person uses it: the real ``flowdeck`` command and daemon as processes, each test in its own home.

Every process gets its own HOME and XDG folders (data, state, config, cache, runtime), so the history, the saved
state, the logs and the workspace are the ones a person would find on a fresh account. The command is
``python -m engine`` from this checkout (the same program as the installed ``flowdeck`` script; see the README).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def wait_until(condition: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    """The first truthy value of ``condition()`` within ``timeout`` seconds, else None."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


class Daemon:
    """A running ``flowdeck daemon``; its stderr goes to a file that the test reads (``log``)."""

    def __init__(self, proc: subprocess.Popen, stderr: Path) -> None:
        self.proc = proc
        self.stderr = stderr

    @property
    def log(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")

    def wait_log(self, text: str, timeout: float = 20.0) -> bool:
        return bool(wait_until(lambda: text in self.log, timeout))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send ``sig`` and wait for the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"the daemon did not stop within {timeout} s; its log:\n{self.log}") from None

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


class Product:
    """One person's account: ``home`` with its own XDG folders and a workspace, and ways to use Flowdeck there."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.data = self.home / ".local" / "share"
        self.state = self.home / ".local" / "state"
        self.config = self.home / ".config"
        self.cache = self.home / ".cache"
        self.runtime = root / "runtime"
        for folder in (self.data, self.state, self.config, self.cache, self.runtime):
            folder.mkdir(parents=True, exist_ok=True)
        self.runtime.chmod(0o700)
        self.workspace = self.home / "Documents" / "Flowdeck"  # platformdirs' documents folder / Flowdeck
        self.workspace.mkdir(parents=True)
        self._daemons: list[Daemon] = []
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FLOWDECK_"))},
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.data),
            "XDG_STATE_HOME": str(self.state),
            "XDG_CONFIG_HOME": str(self.config),
            "XDG_CACHE_HOME": str(self.cache),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_DOCUMENTS_DIR": str(self.workspace.parent),
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
        }
        # no keyring service on a test machine: the memory keyring of the unit tests lives in one process only, so
        # a test that needs secrets across processes sets PYTHON_KEYRING_BACKEND itself
        self.env.pop("PYTHON_KEYRING_BACKEND", None)
        self.env.pop("DISPLAY", None)
        self.env.pop("QT_QPA_PLATFORM", None)

    # files ---------------------------------------------------------------------------------------------
    def write(self, name: str, text: str, folder: Path | None = None) -> Path:
        """A workflow (or any) file in the workspace (or ``folder``)."""
        path = (folder or self.workspace) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    @property
    def history_file(self) -> Path:
        return self.data / "flowdeck" / "history.sqlite3"

    @property
    def daemon_log_file(self) -> Path:
        return self.state / "flowdeck" / "log" / "daemon.log"

    # the command ---------------------------------------------------------------------------------------
    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "engine", *map(str, args)]

    def run(
        self, *args: str, input: str | None = None, timeout: float = 120.0, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``flowdeck ARGS`` to the end; stdout and stderr as text."""
        return subprocess.run(
            self.command(*args),
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            env={**self.env, **(env or {})},
            cwd=str(self.home),
        )

    def history(self, *args: str) -> list[dict[str, Any]]:
        """``flowdeck history --json ARGS``, as the list of runs it prints (newest first)."""
        done = self.run("history", "--json", "--limit", "1000", *args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def history_rows(self, sql: str = "SELECT * FROM runs", params: tuple = ()) -> list[dict[str, Any]]:
        """Rows read straight from the history database (what any SQLite browser shows)."""
        if not self.history_file.exists():
            return []
        db = sqlite3.connect(f"file:{self.history_file}?mode=ro", uri=True, timeout=10)
        try:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute(sql, params)]
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):  # a starting process made the file but not yet its tables
                return []
            raise
        finally:
            db.close()

    @contextmanager
    def daemon(self, *args: str, port: int = 0, env: dict[str, str] | None = None) -> Iterator[Daemon]:
        """``flowdeck daemon [ARGS]`` (the default workspace unless ARGS name one); stopped with SIGTERM at the end."""
        log = self.home.parent / f"daemon-{len(self._daemons)}.stderr"
        out = log.open("w")
        proc = subprocess.Popen(
            self.command("daemon", *args, "--port", str(port)),
            stdout=subprocess.DEVNULL,
            stderr=out,
            env={**self.env, **(env or {})},
            cwd=str(self.home),
        )
        out.close()
        daemon = Daemon(proc, log)
        self._daemons.append(daemon)
        try:
            yield daemon
        finally:
            if proc.poll() is None:
                try:
                    daemon.stop()
                except AssertionError:
                    pass

    def close(self) -> None:
        for daemon in self._daemons:
            if daemon.proc.poll() is None:
                daemon.kill()
