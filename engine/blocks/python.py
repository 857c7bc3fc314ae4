"""Run Python code, inline or from a file, in a separate interpreter.

Why a subprocess and not exec() in Flowdeck's own process: the code can be stopped for real on
timeout or cancel (a thread cannot be killed), a crash or a runaway loop cannot take the app or
other runs down, it cannot change Flowdeck's state by accident, and it does not compete with the
GUI for the interpreter lock. The price is ~30-50 ms to start an interpreter and data passing as JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.blocks import _process
from engine.blocks._common import duration_param, limit, must_exist, os_errors, resolve
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext
from engine.runtime.childenv import session_environ

CONTEXT_NAMES = ("vars", "steps", "trigger", "run", "loop")


@block(
    "python.run",
    title="Run Python",
    category="Programs",
    icon="python",
    help="Run Python code in its own interpreter, so it can be stopped on timeout and cannot crash Flowdeck. "
    "It sees vars, steps, trigger, run, loop (in a for_each body) and inputs as plain Python values, never "
    "secrets (pass one in through inputs); set a variable named result (or 'return' a value) to pass it on "
    "as {{ steps.<id>.result }}. "
    "print() output is captured. Expressions are not applied to the code: read values from those names.",
    params=[
        Param(
            "code",
            Kind.CODE,
            default="",
            templated=False,
            main=True,
            placeholder="result = len(steps.fetch.json['items'])",
            help="The code. Either this or 'file'.",
        ),
        Param("file", Kind.PATH, default="", help="A .py file to run instead of inline code."),
        Param("inputs", Kind.MAPPING, default={}, help="Extra values the code reads as inputs['name']."),
        Param("timeout", Kind.DURATION, default="", help="Stop the code after this long, e.g. 1m."),
        Param("python", Kind.PATH, default="", help="The interpreter to use (default: the one Flowdeck runs on)."),
    ],
    outputs=[
        Output("result", "the value of 'result' or of a top-level return"),
        Output("stdout", "what the code printed"),
        Output("stderr"),
        Output("duration", "seconds"),
    ],
    summary="file",
)
def run_python(
    ctx: StepContext,
    code: str = "",
    file: str = "",
    inputs: dict[str, Any] | None = None,
    timeout: Any = "",
    python: str = "",
) -> dict[str, Any]:
    source, filename = _source(ctx, code, file)
    names = {**_context_values(ctx), "inputs": dict(inputs or {})}
    payload = {"code": source, "filename": filename, "folder": str(Path(filename).parent), "names": names}
    try:
        data = json.dumps(payload, default=str).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise StepError(f"inputs: cannot be passed to Python ({exc})", kind="value") from None
    import tempfile

    from engine.blocks._pyrunner import SOURCE

    env = {**session_environ(), "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryDirectory(prefix="flowdeck-py-") as tmp:
        out_file = Path(tmp) / "outcome.json"
        argv = [_interpreter(ctx, python), "-c", SOURCE, str(out_file)]
        proc = _process.start(argv, shell=False, cwd=Path(ctx.workflow_dir), env=env, stdin=True)
        done = _process.communicate(ctx, proc, data, limit(ctx, duration_param(timeout, "timeout")))
        outcome = _outcome(out_file, done)
    where = "the code" if not file else Path(filename).name
    if "error" in outcome:
        line = f" (line {outcome['line']})" if outcome.get("line") else ""
        raise StepError(f"{where} failed{line}: {outcome['error']}", kind="python", details={"stdout": done.stdout})
    return {"result": outcome.get("result"), "stdout": done.stdout, "stderr": done.stderr, "duration": done.duration}


def _source(ctx: StepContext, code: str, file: str) -> tuple[str, str]:
    if code and file:
        raise StepError("give either 'code' or 'file', not both", kind="value")
    if file:
        path = resolve(ctx, file, "file")
        must_exist(path, "Python file")
        with os_errors(path):
            return path.read_text("utf-8"), str(path)
    if not str(code).strip():
        raise StepError("code: write some Python code (or give a 'file')", kind="value")
    return str(code), "<python.run>"


def _context_values(ctx: StepContext) -> dict[str, Any]:
    """vars, steps, trigger... from the run, when the runtime offers them (StepContext.values())."""
    values = getattr(ctx, "values", None)
    found: Mapping[str, Any] = values() if callable(values) else {}
    names = {"vars": {}, "steps": {}, "trigger": {}, "run": {}, "loop": None}
    names.update({k: found[k] for k in CONTEXT_NAMES if k in found})
    return names


def _interpreter(ctx: StepContext, python: str) -> str:
    import shutil

    if python:
        chosen = shutil.which(python) or str(resolve(ctx, python, "python"))
        if not Path(chosen).exists():
            raise StepError(f"python: interpreter not found: {python}", kind="program")
        return chosen
    if not getattr(sys, "frozen", False):
        return sys.executable
    found = shutil.which("python3") or shutil.which("python")
    if not found:
        raise StepError("no Python interpreter found on this computer; install Python or set 'python'", "program")
    return found


def _outcome(out_file: Path, done: _process.Finished) -> dict[str, Any]:
    try:
        return json.loads(out_file.read_text("utf-8"))
    except FileNotFoundError:
        code = done.exit_code
        how = f"killed by signal {_process.signal_name(code)}" if code < 0 else f"exit code {code}"
        last = [how] if code < 0 else done.stderr.strip().splitlines()[-1:] or [how]
        return {"error": f"the Python interpreter stopped before the code finished ({last[0]})"}
    except ValueError:
        return {"error": "the Python interpreter returned an unreadable result"}
