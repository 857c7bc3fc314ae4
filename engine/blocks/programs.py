"""Run a program: argument list, no shell unless asked, output captured, killed on timeout or cancel."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from engine.errors import Cancelled, StepError, StepTimeout
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

MAX_CAPTURE = 1024 * 1024  # keep the last 1 MB of each stream; a flooding program cannot eat memory


@block(
    "program.run",
    title="Run program",
    category="Programs",
    icon="terminal",
    help="Run a program with its arguments and capture its output. A non-zero exit code fails the step "
    "unless you allow it.",
    params=[
        Param(
            "command",
            Kind.ANY,
            required=True,
            help="The program and its arguments as a list, e.g. [tar, -czf, out.tgz, src]; "
            "a text is split like a shell would, but no shell runs unless 'shell' is on.",
        ),
        Param("shell", Kind.BOOL, default=False, help="Run the text through the system shell (pipes, globs)."),
        Param("cwd", Kind.PATH, default="", help="Working folder (default: the workflow file's folder)."),
        Param("env", Kind.MAPPING, default={}, help="Extra environment variables."),
        Param("stdin", Kind.MULTILINE, default="", help="Text sent to the program's input."),
        Param("timeout", Kind.DURATION, default="", help="Kill the program after this long, e.g. 5m."),
        Param("allow_exit_codes", Kind.LIST, default=[0], help="Exit codes that count as success."),
    ],
    outputs=[
        Output("exit_code"),
        Output("stdout", "what the program printed"),
        Output("stderr", "its error output"),
        Output("duration", "seconds it ran"),
    ],
    summary="command",
)
def run_program(
    ctx: StepContext,
    command: Any,
    shell: bool = False,
    cwd: str = "",
    env: dict[str, Any] | None = None,
    stdin: str = "",
    timeout: Any = "",
    allow_exit_codes: list[int] | None = None,
) -> dict[str, Any]:
    argv = _argv(command, shell)
    folder = _folder(ctx, cwd)
    environ = {**os.environ, **{str(k): str(v) for k, v in (env or {}).items()}}
    limit = _limit(ctx, timeout)
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            shell=shell,
            cwd=folder,
            env=environ,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=os.name == "posix",  # so a kill reaches the program's children too
        )
    except FileNotFoundError:
        raise StepError(f"program not found: '{argv if shell else argv[0]}'", kind="program") from None
    except PermissionError:
        raise StepError(
            f"not allowed to run '{argv if shell else argv[0]}' (permission denied)", kind="program"
        ) from None
    except NotADirectoryError:
        raise StepError(f"the working folder is not a folder: {folder}", kind="program") from None
    out, err = _communicate(ctx, proc, stdin, limit, started)
    code = proc.returncode
    allowed = allow_exit_codes if allow_exit_codes is not None else [0]
    result = {
        "exit_code": code,
        "stdout": out,
        "stderr": err,
        "duration": round(time.monotonic() - started, 3),
    }
    if code not in allowed:
        tail = (err or out).strip().splitlines()[-3:]
        detail = (": " + " / ".join(tail)) if tail else ""
        raise StepError(f"'{_name(argv)}' exited with code {code}{detail}", kind="program", details=result)
    return result


def _argv(command: Any, shell: bool) -> list[str] | str:
    if isinstance(command, list):
        if not command:
            raise StepError("command is empty: give the program to run", kind="program")
        argv = [str(a) for a in command]
        return shlex.join(argv) if shell else argv
    if isinstance(command, str) and command.strip():
        if shell:
            return command
        try:
            return shlex.split(command)
        except ValueError as exc:
            raise StepError(f"cannot split the command into arguments: {exc}", kind="program") from None
    raise StepError(f"command: expected a program and its arguments, got {command!r}", kind="program")


def _folder(ctx: StepContext, cwd: str) -> str:
    folder = Path(os.path.expanduser(cwd)) if cwd else ctx.workflow_dir
    if not folder.is_absolute():
        folder = ctx.workflow_dir / folder
    if not folder.is_dir():
        raise StepError(f"working folder does not exist: {folder}", kind="program")
    return str(folder)


def _limit(ctx: StepContext, timeout: Any) -> float | None:
    from engine.model.durations import parse_duration

    own = parse_duration(timeout) if timeout not in ("", None) else None
    remaining = ctx.remaining()
    if own is None:
        return remaining
    return own if remaining is None else min(own, remaining)


def _name(argv: list[str] | str) -> str:
    return argv if isinstance(argv, str) else Path(argv[0]).name


def _communicate(
    ctx: StepContext, proc: subprocess.Popen, stdin: str, limit: float | None, started: float
) -> tuple[str, str]:
    """Feed stdin, drain both streams in threads, and kill the program on timeout or cancel."""
    chunks: dict[str, bytearray] = {"out": bytearray(), "err": bytearray()}
    readers = [
        threading.Thread(target=_drain, args=(proc.stdout, chunks["out"]), daemon=True),
        threading.Thread(target=_drain, args=(proc.stderr, chunks["err"]), daemon=True),
    ]
    for t in readers:
        t.start()
    if stdin and proc.stdin:
        threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True).start()
    while proc.poll() is None:
        if ctx.cancel_event.wait(0.05):
            _kill(proc)
            raise Cancelled("cancelled while the program was running; it was stopped")
        if limit is not None and time.monotonic() - started > limit:
            _kill(proc)
            raise StepTimeout(f"'{_name(proc.args)}' ran longer than {limit:g}s and was stopped")
    for t in readers:
        t.join(2)
    return _text(chunks["out"]), _text(chunks["err"])


def _drain(stream: Any, sink: bytearray) -> None:
    for block_ in iter(lambda: stream.read1(65536), b""):
        sink.extend(block_)
        if len(sink) > MAX_CAPTURE * 2:
            del sink[: len(sink) - MAX_CAPTURE]
    stream.close()


def _feed(stream: Any, text: str) -> None:
    try:
        stream.write(text.encode())
        stream.close()
    except (BrokenPipeError, OSError):
        pass


def _text(data: bytearray) -> str:
    if len(data) > MAX_CAPTURE:
        data = data[-MAX_CAPTURE:]
    return data.decode("utf-8", errors="replace")


def _kill(proc: subprocess.Popen) -> None:
    """Stop the program and everything it started."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass
