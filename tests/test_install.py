"""`pip install .` (not only editable) ships everything: packages, examples, icons, the entry point."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_packages_and_resources(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    wheel = next(tmp_path.glob("flowdeck-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for example in (ROOT / "resources" / "examples").glob("*.yaml"):
        assert f"resources/examples/{example.name}" in names
    for module in (ROOT / "engine" / "blocks").glob("*.py"):
        assert f"engine/blocks/{module.name}" in names
    assert "engine/cli/cmd_run.py" in names
    assert "gui/app.py" in names
    assert not any(n.startswith("tests/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "flowdeck = engine.cli.main:entry" in text
