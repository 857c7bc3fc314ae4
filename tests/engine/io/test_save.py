"""Atomic saving: a crash mid-save never leaves a broken file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.io import atomic_write, load_workflow, save_workflow
from engine.model.workflow import Step, Workflow


def _wf() -> Workflow:
    return Workflow(name="Saved", steps={"a": Step("a", "log", {"message": "hi"})})


def test_save_and_load_back(tmp_path: Path) -> None:
    path = save_workflow(_wf(), tmp_path / "sub" / "wf.yaml")
    assert load_workflow(path).steps["a"].params == {"message": "hi"}
    assert [p.name for p in path.parent.iterdir()] == ["wf.yaml"]  # no temp files left


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text("old content")

    def boom(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, b"new content")
    assert path.read_text() == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["wf.yaml"]


def test_killed_writer_never_leaves_a_truncated_file(tmp_path: Path) -> None:
    """A process killed while saving over and over: the file always holds one whole version."""
    path = tmp_path / "wf.yaml"
    atomic_write(path, b"version: 0\n" + b"x" * 200_000 + b"\nend\n")
    code = (
        "import sys; from engine.io import atomic_write\n"
        "i = 0\n"
        "while True:\n"
        "    i += 1; atomic_write(sys.argv[1], b'version: %d\\n' % i + b'x' * 200000 + b'\\nend\\n')\n"
    )
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", code, str(path)])
        try:
            proc.wait(0.4)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        data = path.read_bytes()
        assert data.startswith(b"version: ") and data.endswith(b"\nend\n")
        assert len(data) > 200_000


def test_keeps_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text("x")
    path.chmod(0o600)
    save_workflow(_wf(), path)
    assert path.stat().st_mode & 0o777 == 0o600
