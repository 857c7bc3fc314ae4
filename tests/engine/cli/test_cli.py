"""The headless command line, run as a person would: a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import resources


def flowdeck(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env
    )


def test_version() -> None:
    import engine

    done = flowdeck("--version")
    assert done.stdout.strip() == f"flowdeck {engine.__version__}"


def test_validate_examples_ok() -> None:
    files = [str(p) for p in resources.EXAMPLES.glob("*.yaml")]
    done = flowdeck("validate", *files)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(": OK") == len(files)


def test_run_linear_example_prints_each_step() -> None:
    done = flowdeck("run", str(resources.EXAMPLES / "hello.yaml"), "--var", "who=Ada")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Hello, Ada!" in out
    for step in ("greet", "remember", "uname", "report"):
        assert f"✓ {step}" in out
    assert "Ran on Linux" in out
    assert "succeeded" in out.splitlines()[-1]


def test_run_json_and_failure_exit_code(tmp_path: Path) -> None:
    wf = tmp_path / "fails.yaml"
    wf.write_text(
        "flowdeck: 1\nname: Fails\nsteps:\n  boom:\n    do: program.run\n"
        "    with: {command: [python3, -c, 'import sys; print(\"bad\"); sys.exit(3)']}\n"
    )
    done = flowdeck("run", str(wf), "--json")
    assert done.returncode == 1
    record = json.loads(done.stdout)
    assert record["status"] == "failed"
    assert record["error"]["step"] == "boom"
    assert "exited with code 3" in record["error"]["message"]
    assert "error in step 'boom'" in done.stderr
    assert "Traceback" not in done.stderr


def test_run_invalid_file_shows_problems(tmp_path: Path) -> None:
    wf = tmp_path / "bad.yaml"
    wf.write_text("flowdeck: 1\nname: Bad\nsteps:\n  a: {do: lgo}\n")
    done = flowdeck("run", str(wf))
    assert done.returncode == 1
    assert f"{wf}:4:7: steps.a.do: unknown block 'lgo'" in done.stderr


def test_blocks_listing_and_markdown() -> None:
    done = flowdeck("blocks")
    assert done.returncode == 0
    assert "program.run" in done.stdout and "command: any, required" in done.stdout
    md = flowdeck("blocks", "--markdown").stdout
    assert md.startswith("# Blocks")
    assert "### `log` — Log" in md


def test_docs_blocks_md_is_up_to_date() -> None:
    md = flowdeck("blocks", "--markdown").stdout
    docs = Path(__file__).parents[3] / "docs" / "blocks.md"
    assert docs.read_text("utf-8") == md, "run: flowdeck blocks --markdown > docs/blocks.md"


def test_no_display_gives_one_line_and_the_headless_commands() -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "gui.launch"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no display" in lines[0] and "flowdeck run FILE" in lines[0]
