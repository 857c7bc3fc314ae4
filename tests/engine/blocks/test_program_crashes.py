"""Programs that crash on their own, run through a real Engine: the run fails with a clear error naming the step."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.engine.blocks.conftest import run_yaml

PY = sys.executable


def _flow(step: str) -> str:
    return f"flowdeck: 1\nname: Crashes\nsteps:\n{step}"


def test_program_with_non_zero_exit_fails_the_run_naming_step_code_and_output(tmp_path: Path) -> None:
    step = f"""  convert:
    do: program.run
    with: {{command: ["{PY}", -c, "import sys; print('no such page', file=sys.stderr); sys.exit(4)"]}}
"""
    result = run_yaml(_flow(step), tmp_path)
    assert result.status == "failed"
    assert result.error["step"] == "convert" and result.error["kind"] == "program"
    assert "exited with code 4: no such page" in result.error["message"]
    assert result.error["details"]["exit_code"] == 4 and result.error["details"]["stderr"] == "no such page\n"


def test_program_killed_by_a_signal_says_which(tmp_path: Path) -> None:
    step = f"""  crash:
    do: program.run
    with: {{command: ["{PY}", -c, "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]}}
"""
    result = run_yaml(_flow(step), tmp_path)
    assert result.status == "failed" and result.error["step"] == "crash"
    assert "was killed by signal 9 (SIGKILL)" in result.error["message"]


def test_shell_command_that_segfaults_is_reported(tmp_path: Path) -> None:
    step = """  shell:
    do: program.run
    with: {command: "kill -SEGV $$", shell: true}
"""
    result = run_yaml(_flow(step), tmp_path)
    assert result.status == "failed" and result.error["step"] == "shell"
    assert "killed by signal 11 (SIGSEGV)" in result.error["message"]


def test_python_code_whose_interpreter_dies_names_the_signal(tmp_path: Path) -> None:
    step = """  py:
    do: python.run
    with: {code: "import os, signal\\nos.kill(os.getpid(), signal.SIGKILL)"}
"""
    result = run_yaml(_flow(step), tmp_path)
    assert result.status == "failed" and result.error["step"] == "py"
    assert "stopped before the code finished (killed by signal 9 (SIGKILL))" in result.error["message"]


def test_crash_routed_to_an_error_step_carries_the_message(tmp_path: Path) -> None:
    step = f"""  crash:
    do: program.run
    with: {{command: ["{PY}", -c, "import os; os.abort()"]}}
    on_error: tell
  tell:
    do: log
    with: {{message: "backup failed: {{{{ error.message }}}} ({{{{ error.step }}}})"}}
"""
    result = run_yaml(_flow(step), tmp_path)
    assert result.ok, result.error
    assert "was killed by signal 6 (SIGABRT)" in result.steps["tell"]["message"]
    assert result.steps["tell"]["message"].endswith("(crash)")
