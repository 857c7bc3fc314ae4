"""python.run in a real child interpreter: results, the run's values, errors with line numbers, timeouts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.blocks.python import run_python
from engine.errors import StepError, StepTimeout
from tests.engine.blocks.conftest import Ctx, run_yaml


def test_result_variable_print_and_inputs(ctx: Ctx) -> None:
    out = run_python(ctx, code="print('working')\nresult = {'double': inputs['n'] * 2}", inputs={"n": 21})
    assert out["result"] == {"double": 42}
    assert out["stdout"] == "working\n"


def test_top_level_return_and_run_values(ctx: Ctx) -> None:
    ctx.data["vars"] = {"limit": 4}
    ctx.data["steps"] = {"fetch": {"json": {"items": [1, 2, 3, 4, 5, 6]}}}
    code = (
        "items = steps.fetch.json['items']\nif len(items) > vars.limit:\n    return items[: vars['limit']]\nreturn []"
    )
    assert run_python(ctx, code=code)["result"] == [1, 2, 3, 4]


def test_file_mode_can_import_neighbours(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("def shout(s):\n    return s.upper()\n")
    (tmp_path / "job.py").write_text("import helper\nresult = helper.shout(inputs['word'])\n")
    assert run_python(ctx, file="job.py", inputs={"word": "hey"})["result"] == "HEY"


def test_errors_name_the_line(ctx: Ctx) -> None:
    with pytest.raises(StepError, match=r"the code failed \(line 2\): ZeroDivisionError: division by zero"):
        run_python(ctx, code="x = 1\ny = x / 0\n")
    with pytest.raises(StepError, match=r"failed \(line 1\): SyntaxError"):
        run_python(ctx, code="def broken(:\n")
    with pytest.raises(StepError, match=r"sys.exit\(2\)"):
        run_python(ctx, code="import sys\nsys.exit(2)")
    with pytest.raises(StepError, match=r"no value named 'nope'"):
        run_python(ctx, code="result = vars.nope")
    with pytest.raises(StepError, match=r"Python file not found"):
        run_python(ctx, file="missing.py")
    with pytest.raises(StepError, match=r"either 'code' or 'file'"):
        run_python(ctx, code="1", file="x.py")


def test_non_json_result_is_passed_as_text(ctx: Ctx) -> None:
    out = run_python(ctx, code="import datetime\nresult = datetime.date(2026, 1, 2)")
    assert out["result"] == "2026-01-02"


def test_endless_loop_is_stopped(ctx: Ctx) -> None:
    started = time.monotonic()
    with pytest.raises(StepTimeout):
        run_python(ctx, code="while True:\n    pass", timeout="1s")
    assert time.monotonic() - started < 30


def test_interpreter_crash_is_explained(ctx: Ctx) -> None:
    with pytest.raises(StepError, match=r"stopped before the code finished"):
        run_python(ctx, code="import os\nos._exit(9)")


def test_python_through_engine_with_inputs(tmp_path: Path) -> None:
    result = run_yaml(
        """flowdeck: 1
name: Py
vars: {prices: [3, 5, 7]}
steps:
  total:
    do: python.run
    with:
      inputs: {prices: "{{ vars.prices }}"}
      code: |
        total = sum(inputs["prices"])
        print(f"{{total}} in all")
        result = total
    next: show
  show:
    do: log
    with: {message: "Total {{ steps.total.result }}"}
""",
        tmp_path,
    )
    assert result.ok, result.error
    assert result.steps["total"]["result"] == 15
    assert result.steps["total"]["stdout"] == "{total} in all\n"  # the code is not a template
    assert result.steps["show"]["message"] == "Total 15"
