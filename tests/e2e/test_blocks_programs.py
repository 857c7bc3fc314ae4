"""Promises of docs/blocks.md for program.run and python.run, held by real `flowdeck run --json` runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.flows import run_json
from tests.support.product import Product

PROGRAMS = """flowdeck: 1
name: Programs
vars: {who: Ada}
steps:
  list:
    do: program.run
    with: {command: [printf, "%s|%s", "a b", c]}
    next: text
  text:
    do: program.run
    with: {command: "printf '%s|' 'a b' c"}
    next: shell
  shell:
    do: program.run
    with: {command: "echo one && echo two | tr a-z A-Z", shell: true}
    next: cwd
  cwd:
    do: program.run
    with: {command: [pwd]}
    next: cwd2
  cwd2:
    do: program.run
    with: {command: [pwd], cwd: /tmp}
    next: env
  env:
    do: program.run
    with: {command: [sh, -c, 'echo "$GREETING"'], env: {GREETING: hi there}}
    next: stdin
  stdin:
    do: program.run
    with: {command: [tr, a-z, A-Z], stdin: "shout"}
    next: allowed
  allowed:
    do: program.run
    with: {command: [sh, -c, "echo oops >&2; exit 1"], allow_exit_codes: [0, 1]}
    next: py
  py:
    do: python.run
    with:
      code: |
        print("hello from", vars["who"])
        result = {"sum": sum(inputs["nums"]), "prev": steps["stdin"]["stdout"].strip(), "run": run["workflow"]}
      inputs: {nums: [1, 2, 3]}
    next: pyret
  pyret:
    do: python.run
    with:
      code: |
        import sys
        print("warn", file=sys.stderr)
        return 7 * 6
    next: pyfile
  pyfile:
    do: python.run
    with: {file: helper.py, inputs: {x: 5}}
    next: bad
  bad:
    do: program.run
    with: {command: [sh, -c, "echo failing >&2; exit 3"]}
"""


STOPS = """flowdeck: 1
name: Stops
steps:
  tree:
    do: program.run
    with: {command: [sh, -c, "sleep 60 & echo $! > child.pid; wait"], timeout: 1s}
    on_error: continue
    next: slow_py
  slow_py:
    do: python.run
    with: {code: "import time\\ntime.sleep(60)", timeout: 1s}
    on_error: continue
    next: crash
  crash:
    do: python.run
    with: {code: "import os, signal\\nos.kill(os.getpid(), signal.SIGKILL)"}
    on_error: continue
    next: nosecrets
  nosecrets:
    do: python.run
    with:
      code: "result = sorted(n for n in ('secrets', 'env', 'vars', 'steps', 'inputs') if n in globals())"
    next: after
  after:
    do: log
    with: {message: "still here"}
"""


@pytest.mark.promise("blocks.md", "`program.run` — Run program")
@pytest.mark.promise("blocks.md", "`python.run` — Run Python")
def test_programs_and_python_give_the_documented_outputs(product: Product) -> None:
    """program.run runs a list or a shell-like split text (a shell only with 'shell'), in the workflow's folder or
    'cwd', with 'env' and 'stdin', captures stdout/stderr/exit code, and fails on a non-zero exit unless it is allowed;
    python.run passes on 'result' or a returned value, with print() captured, and reads vars, steps, run, inputs."""
    (product.workspace / "helper.py").write_text('result = inputs["x"] * 2\n')
    done, record = run_json(product, "programs.yaml", PROGRAMS)
    s = record["steps"]
    expected = {
        "list": {"stdout": "a b|c", "exit_code": 0, "ok": True},
        "text": {"stdout": "a b|c|"},  # split like a shell would, no shell
        "shell": {"stdout": "one\nTWO\n"},
        "cwd": {"stdout": f"{product.workspace}\n"},  # the workflow file's folder
        "cwd2": {"stdout": "/tmp\n"},
        "env": {"stdout": "hi there\n"},
        "stdin": {"stdout": "SHOUT"},
        "allowed": {"exit_code": 1, "ok": False, "stderr": "oops\n"},  # allowed: the run goes on
        "py": {"result": {"sum": 6, "prev": "SHOUT", "run": "Programs"}, "stdout": "hello from Ada\n"},
        "pyret": {"result": 42, "stderr": "warn\n"},
        "pyfile": {"result": 10},
    }
    assert {step: {k: s[step][k] for k in want} for step, want in expected.items()} == expected
    assert (done.returncode, record["status"]) == (1, "failed")  # the last step exits 3
    assert record["error"]["step"] == "bad" and record["error"]["kind"] == "program"
    assert "error in step 'bad': 'sh' exited with code 3: failing" in done.stderr


@pytest.mark.promise("blocks.md", "`program.run` — Run program")
@pytest.mark.promise("blocks.md", "`python.run` — Run Python")
def test_timeouts_stop_the_program_and_what_it_started(product: Product) -> None:
    """On timeout program.run stops the program and everything it started; python.run code is stopped on timeout,
    a crashing interpreter fails only its step, and the code never sees secrets."""
    done, record = run_json(product, "stops.yaml", STOPS)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stderr
    s = record["steps"]
    assert s["tree"]["error"] == {"message": "'sh' ran longer than 1s and was stopped", "kind": "timeout",
                                  "step": "tree"}  # fmt: skip
    child = int((product.workspace / "child.pid").read_text())
    assert not Path(f"/proc/{child}").exists() or _zombie(child)  # the sleep it started in the background is gone
    assert s["slow_py"]["error"]["kind"] == "timeout"
    assert s["crash"]["error"]["message"].startswith("the code failed: the Python interpreter stopped")
    assert s["nosecrets"]["result"] == ["inputs", "steps", "vars"]
    assert s["after"]["message"] == "still here"


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z"
    except OSError:
        return True
