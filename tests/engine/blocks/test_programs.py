"""program.run with real subprocesses: output, exit codes, a program that hangs, floods stdout or crashes."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from engine.blocks.programs import run_program
from engine.errors import Cancelled, StepError, StepTimeout
from tests.engine.blocks.conftest import Ctx, run_yaml

PY = sys.executable


def alive(pid: int) -> bool:
    """Whether a process still runs (a zombie waiting to be reaped counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_argument_list_output_and_exit_code(ctx: Ctx) -> None:
    out = run_program(ctx, [PY, "-c", "import sys; print('out'); print('err', file=sys.stderr)"])
    assert (out["exit_code"], out["stdout"], out["stderr"], out["ok"]) == (0, "out\n", "err\n", True)


def test_text_is_split_but_no_shell_unless_asked(ctx: Ctx) -> None:
    assert run_program(ctx, "echo 'a b' | tr a-z A-Z")["stdout"] == "a b | tr a-z A-Z\n"
    assert run_program(ctx, "echo 'a b' | tr a-z A-Z", shell=True)["stdout"] == "A B\n"


def test_cwd_env_stdin(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    code = "import os, sys; print(os.getcwd()); print(os.environ['GREETING']); print(sys.stdin.read().upper())"
    out = run_program(ctx, [PY, "-c", code], cwd="work", env={"GREETING": "hi", "N": 3}, stdin="quiet")
    assert out["stdout"].splitlines() == [str(tmp_path / "work"), "hi", "QUIET"]


def test_non_zero_exit_is_an_error_with_output_unless_allowed(ctx: Ctx) -> None:
    code = "import sys; print('disk full', file=sys.stderr); sys.exit(3)"
    with pytest.raises(StepError, match=r"exited with code 3: disk full") as info:
        run_program(ctx, [PY, "-c", code])
    assert info.value.kind == "program" and info.value.details["exit_code"] == 3
    assert run_program(ctx, [PY, "-c", code], allow_exit_codes=[0, 3])["exit_code"] == 3


def test_crash_reports_the_signal(ctx: Ctx) -> None:
    with pytest.raises(StepError, match=r"was killed by signal 6"):
        run_program(ctx, [PY, "-c", "import os; os.abort()"])


def test_hanging_program_and_its_children_are_killed_on_timeout(ctx: Ctx, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(StepTimeout, match=r"ran longer than 1s"):
        run_program(ctx, ["sh", "-c", "sleep 300 & echo $! > child.pid; wait"], timeout="1s")
    assert time.monotonic() - started < 30
    child = int((tmp_path / "child.pid").read_text())
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child), "the program's child survived the timeout"


def test_cancel_stops_the_program(ctx: Ctx) -> None:
    threading.Timer(0.5, ctx.cancel_event.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        run_program(ctx, ["sleep", "300"])
    assert time.monotonic() - started < 30


def test_flood_of_100_mb_keeps_only_the_last_megabyte(ctx: Ctx) -> None:
    code = "import sys\nfor i in range(100):\n    sys.stdout.write(('%03d' % i) * (1024 * 1024 // 3 + 1))\nprint('END')"
    out = run_program(ctx, [PY, "-c", code])
    assert out["exit_code"] == 0
    assert len(out["stdout"]) == 1024 * 1024
    assert out["stdout"].endswith("099END\n")
    assert any("more than 1 MB" in message for _, message in ctx.logs)


def test_bad_input_messages(ctx: Ctx) -> None:
    with pytest.raises(StepError, match=r"program not found: 'no-such-program-xyz'"):
        run_program(ctx, ["no-such-program-xyz", "--help"])
    with pytest.raises(StepError, match=r"working folder does not exist: .*missing"):
        run_program(ctx, ["true"], cwd="missing")
    with pytest.raises(StepError, match=r"command is empty"):
        run_program(ctx, [])
    with pytest.raises(StepError, match=r"cannot split"):
        run_program(ctx, "echo 'unclosed")
    with pytest.raises(StepError, match=r"allow_exit_codes: expected whole numbers"):
        run_program(ctx, ["true"], allow_exit_codes=["zero"])


def test_not_executable(ctx: Ctx, tmp_path: Path) -> None:
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    os.chmod(script, 0o644)
    with pytest.raises(StepError, match=r"not allowed to run"):
        run_program(ctx, [str(script)])


def test_step_timeout_through_engine_kills_program(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_yaml(
        """flowdeck: 1
name: Hangs
steps:
  hang:
    do: program.run
    with: {command: [sleep, "300"]}
    timeout: 1s
""",
        tmp_path,
    )
    assert result.status == "failed" and result.error["kind"] == "timeout"
    assert time.monotonic() - started < 30


def test_exit_code_routes_to_error_step_through_engine(tmp_path: Path) -> None:
    result = run_yaml(
        f"""flowdeck: 1
name: Check
steps:
  check:
    do: program.run
    with: {{command: ["{PY}", -c, "print('bad news'); raise SystemExit(2)"]}}
    on_error: report
  report:
    do: log
    with: {{message: "failed: {{{{ error.details.stdout }}}}"}}
""",
        tmp_path,
    )
    assert result.ok, result.error
    assert result.steps["report"]["message"] == "failed: bad news\n"
