"""Run a program: argument list, no shell unless asked, output captured, killed on timeout or cancel."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

from engine.blocks import _process
from engine.blocks._common import duration_param, limit, resolve, text_of
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext
from engine.runtime.childenv import session_environ


@block(
    "program.run",
    title="Run program",
    category="Programs",
    icon="terminal",
    help="Run a program with its arguments and capture its output. A non-zero exit code fails the step "
    "unless you allow it. On timeout or cancel the program and everything it started are stopped.",
    params=[
        Param(
            "command",
            Kind.ANY,
            required=True,
            help="The program and its arguments as a list, e.g. [tar, -czf, out.tgz, src]; "
            "a text is split like a shell would, but no shell runs unless 'shell' is on.",
        ),
        Param("shell", Kind.BOOL, default=False, help="Run the text through the system shell (pipes, globs, &&)."),
        Param(
            "cwd", Kind.PATH, default="", help="Working folder (default: the workflow file's folder).", browse="folder"
        ),
        Param("env", Kind.MAPPING, default={}, help="Extra environment variables."),
        Param("stdin", Kind.MULTILINE, default="", help="Text sent to the program's input."),
        Param("timeout", Kind.DURATION, default="", help="Stop the program after this long, e.g. 5m."),
        Param("allow_exit_codes", Kind.LIST, default=[0], help="Exit codes that count as success, e.g. [0, 1]."),
    ],
    outputs=[
        Output("exit_code"),
        Output("stdout", "what the program printed (the last 1 MB)"),
        Output("stderr", "its error output (the last 1 MB)"),
        Output("ok", "true when the exit code was 0"),
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
    stdin: Any = "",
    timeout: Any = "",
    allow_exit_codes: list[Any] | None = None,
) -> dict[str, Any]:
    argv = _argv(command, shell)
    folder = resolve(ctx, cwd, "cwd") if cwd else Path(ctx.workflow_dir)
    if not folder.is_dir():
        raise StepError(f"working folder does not exist: {folder}", kind="program")
    allowed = _codes(allow_exit_codes)
    environ = {**session_environ(), **{str(k): text_of(v) for k, v in (env or {}).items()}}
    feed = text_of(stdin).encode() if stdin not in ("", None) else None
    proc = _process.start(argv, shell=shell, cwd=folder, env=environ, stdin=feed is not None)
    done = _process.communicate(ctx, proc, feed, limit(ctx, duration_param(timeout, "timeout")))
    if done.truncated:
        ctx.log("the program printed more than 1 MB; only the last 1 MB is kept", "warning")
    result = {
        "exit_code": done.exit_code,
        "stdout": done.stdout,
        "stderr": done.stderr,
        "ok": done.exit_code == 0,
        "duration": done.duration,
    }
    if done.exit_code not in allowed:
        raise StepError(_failure(argv, done), kind="program", details=result)
    return result


def _failure(argv: list[str] | str, done: _process.Finished) -> str:
    code = done.exit_code
    name = _process.describe(argv)
    if code < 0:
        return f"'{name}' was killed by signal {_process.signal_name(code)}"
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    detail = (": " + " / ".join(line[:200] for line in tail)) if tail else ""
    return f"'{name}' exited with code {code}{detail}"


def _codes(value: list[Any] | None) -> set[int]:
    if value is None:
        return {0}
    items = value if isinstance(value, list | tuple) else [value]
    try:
        return {int(v) for v in items}
    except (TypeError, ValueError):
        raise StepError(f"allow_exit_codes: expected whole numbers, e.g. [0, 1], got {value!r}", kind="value") from None


def _argv(command: Any, shell: bool) -> list[str] | str:
    if isinstance(command, list | tuple):
        if not command:
            raise StepError("command is empty: give the program to run", kind="value")
        argv = [text_of(a) for a in command]
        return shlex.join(argv) if shell else argv
    if isinstance(command, str) and command.strip():
        if shell:
            return command
        try:
            return shlex.split(command, posix=os.name == "posix")
        except ValueError as exc:
            raise StepError(f"command: cannot split {command!r} into arguments: {exc}", kind="value") from None
    raise StepError(f"command: expected a program and its arguments, got {command!r}", kind="value")
