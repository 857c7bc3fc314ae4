"""Child processes for blocks: output drained without limit on memory, killed with their children
on timeout or cancel. Shared by program.run and python.run."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import Cancelled, StepError, StepTimeout
from engine.registry.context import StepContext

if TYPE_CHECKING:
    import subprocess

MAX_CAPTURE = 1024 * 1024  # keep the last 1 MB of each stream; a flooding program cannot eat memory
POLL = 0.05


@dataclass
class Finished:
    exit_code: int
    stdout: str
    stderr: str
    duration: float
    truncated: bool  # more output than MAX_CAPTURE came; only the end was kept


def start(argv: list[str] | str, *, shell: bool, cwd: Path, env: dict[str, str], stdin: bool) -> subprocess.Popen:
    """Start the program in its own process group (so a kill reaches what it starts), or a clear StepError.

    ``env`` is built on ``childenv.session_environ()``: the person's environment, not the bundle's.
    """
    import subprocess  # imported when a program runs, not when the palette loads

    from engine.runtime.childenv import popen_options

    name = argv if isinstance(argv, str) else argv[0]
    flags = popen_options()  # its own session / process group; on Windows no console window of its own
    try:
        return subprocess.Popen(
            argv,
            shell=shell,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **flags,
        )
    except FileNotFoundError:
        if not cwd.is_dir():
            raise StepError(f"working folder does not exist: {cwd}", kind="program") from None
        raise StepError(f"program not found: '{name}' (is it installed and on the PATH?)", kind="program") from None
    except PermissionError:
        raise StepError(f"not allowed to run '{name}' (permission denied)", kind="program") from None
    except NotADirectoryError:
        raise StepError(f"the working folder is not a folder: {cwd}", kind="program") from None
    except OSError as exc:
        raise StepError(f"cannot start '{name}': {exc.strerror or exc}", kind="program") from None


def communicate(ctx: StepContext, proc: subprocess.Popen, stdin: bytes | None, limit: float | None) -> Finished:
    """Feed stdin, drain both streams on threads, and kill the program on timeout or cancel."""
    started = time.monotonic()
    out, err = _Sink(), _Sink()
    readers = [
        threading.Thread(target=_drain, args=(proc.stdout, out), daemon=True),
        threading.Thread(target=_drain, args=(proc.stderr, err), daemon=True),
    ]
    for t in readers:
        t.start()
    if stdin is not None and proc.stdin:
        threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True).start()
    name = describe(proc.args)
    while proc.poll() is None:
        if ctx.cancel_event.wait(POLL):
            kill(proc)
            ctx.check_cancelled()  # raises StepTimeout when the step's deadline is what stopped it
            raise Cancelled(f"cancelled while '{name}' was running; it was stopped")
        if limit is not None and time.monotonic() - started > limit:
            kill(proc)
            raise StepTimeout(f"'{name}' ran longer than {limit:g}s and was stopped")
    for t in readers:
        t.join(2)  # a background child may still hold the pipes; do not wait for it
    return Finished(
        proc.returncode,
        out.text(),
        err.text(),
        round(time.monotonic() - started, 3),
        out.dropped or err.dropped,
    )


class _Sink:
    def __init__(self) -> None:
        self.data = bytearray()
        self.dropped = False

    def add(self, chunk: bytes) -> None:
        self.data.extend(chunk)
        if len(self.data) > MAX_CAPTURE * 2:
            del self.data[: len(self.data) - MAX_CAPTURE]
            self.dropped = True

    def text(self) -> str:
        data = self.data
        if len(data) > MAX_CAPTURE:
            data = data[-MAX_CAPTURE:]
            self.dropped = True
        return bytes(data).decode("utf-8", errors="replace")


def _drain(stream: Any, sink: _Sink) -> None:
    try:
        for chunk in iter(lambda: stream.read1(65536), b""):
            sink.add(chunk)
    except (OSError, ValueError):
        pass
    finally:
        stream.close()


def _feed(stream: Any, data: bytes) -> None:
    try:
        stream.write(data)
        stream.close()
    except (BrokenPipeError, OSError, ValueError):
        pass  # the program stopped reading; its exit code tells the story


def describe(argv: Any) -> str:
    if isinstance(argv, str):
        return argv if len(argv) <= 60 else argv[:57] + "..."
    return Path(str(argv[0])).name


def kill(proc: subprocess.Popen) -> None:
    """Stop the program and everything it started."""
    import signal
    import subprocess

    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, timeout=10)
    except (ProcessLookupError, PermissionError, OSError, subprocess.SubprocessError):
        pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass


def signal_name(code: int) -> str:
    """``9 (SIGKILL)`` for a process that a signal ended (``code`` is the negative return code)."""
    import signal

    try:
        return f"{-code} ({signal.Signals(-code).name})"
    except ValueError:
        return str(-code)
