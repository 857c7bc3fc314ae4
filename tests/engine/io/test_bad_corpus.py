"""Every bad file gets one clear line per problem with its position, and a non-zero exit; never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.io import read_file

BAD = Path(__file__).parents[2] / "data" / "bad"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (warning: )?\S.*$")


def test_corpus_is_large_enough() -> None:
    assert len(list(BAD.glob("*.yaml"))) >= 30


@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml")), ids=lambda p: p.name)
def test_bad_file_reports_positions(path: Path) -> None:
    _, problems = read_file(path)
    errors = [p for p in problems if p.is_error]
    assert errors, f"{path.name} loaded without errors"
    for p in errors:
        assert p.file == str(path)
        assert p.line is not None and p.line >= 1, str(p)
        assert LINE.match(str(p)), str(p)
        assert "Traceback" not in p.message


def test_cli_on_whole_corpus_exits_1_with_one_line_per_problem() -> None:
    files = sorted(str(p) for p in BAD.glob("*.yaml"))
    done = subprocess.run(
        [sys.executable, "-m", "engine", "validate", "-q", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    named = {line.split(":", 1)[0] for line in lines}
    assert named == set(files)
    for line in lines:
        assert LINE.match(line), line


def test_fifty_megabyte_file_is_refused_fast(tmp_path: Path) -> None:
    big = tmp_path / "huge.yaml"
    with big.open("w") as fh:
        fh.write("flowdeck: 1\nname: huge\nvars:\n")
        line = "  k{}: " + "x" * 90 + "\n"
        for i in range(50 * 1024 * 1024 // 100):
            fh.write(line.format(i))
    assert big.stat().st_size > 50_000_000
    done = subprocess.run(
        [sys.executable, "-m", "engine", "validate", str(big)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1
    assert re.match(rf"^{re.escape(str(big))}:1:1: the file is \d+\.\d MB; workflow files are limited", done.stderr)


def test_expected_messages() -> None:
    def first(name: str) -> str:
        _, problems = read_file(BAD / name)
        return next(p.message for p in problems if p.is_error)

    assert "tab character" in first("tabs.yaml")
    assert "did you mean 'log'" in first("unknown_block_typo_log.yaml")
    assert "duplicate key 'name' (first written at line 2)" in first("duplicate_keys.yaml")
    assert "duplicate key 'a'" in first("duplicate_step_ids.yaml")
    assert "YAML bomb" in first("yaml_bomb.yaml")
    assert "form a loop" in first("cycle.yaml")
    assert "did you mean 'save'" in first("dangling_next.yaml")
    assert "not a text file" in first("binary_garbage.yaml")
    assert "not UTF-8" in first("latin1.yaml")
    assert "not allowed" in first("python_tag.yaml")
    assert "newer Flowdeck" in first("future_version.yaml")
