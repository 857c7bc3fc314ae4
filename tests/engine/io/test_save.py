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


def _in_child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter (a umask set there changes no other test)."""
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_gets_the_umasks_mode(tmp_path: Path, umask: int, mode: int) -> None:
    """A new file is created as open() would create it: 0666 less the umask (not the temp file's 0600)."""
    path = tmp_path / "new.yaml"
    code = f"import os, sys; os.umask({umask:#o}); from engine.io import atomic_write; atomic_write(sys.argv[1], b'x')"
    done = _in_child(code, str(path))
    assert done.returncode == 0, done.stderr
    assert path.stat().st_mode & 0o777 == mode


def test_a_private_file_can_be_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "private.json"
    done = _in_child("import sys; from engine.io import atomic_write; atomic_write(sys.argv[1], b'x', mode=0o600)",
                     str(path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert path.stat().st_mode & 0o777 == 0o600


def test_existing_file_keeps_a_mode_wider_than_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text("old")
    path.chmod(0o664)
    code = "import os, sys; os.umask(0o077); from engine.io import atomic_write; atomic_write(sys.argv[1], b'new')"
    assert _in_child(code, str(path)).returncode == 0
    assert path.stat().st_mode & 0o777 == 0o664 and path.read_text() == "new"


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    """Saving a file opened through a symlink replaces the link's target; the link stays a link."""
    real = tmp_path / "repo" / "wf.yaml"
    real.parent.mkdir()
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "wf.yaml"
    link.symlink_to(real)
    save_workflow(_wf(), link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "name: Saved" in real.read_text()
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["wf.yaml"]  # the temp file was made beside the target


def test_a_relative_symlink_chain_is_followed(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    real = tmp_path / "a" / "real.yaml"
    real.write_text("old")
    (tmp_path / "a" / "middle.yaml").symlink_to("real.yaml")
    link = tmp_path / "top.yaml"
    link.symlink_to("a/middle.yaml")
    atomic_write(link, b"new")
    assert link.is_symlink() and (tmp_path / "a" / "middle.yaml").is_symlink()
    assert real.read_text() == "new"


def test_a_read_only_file_is_refused_in_one_line(tmp_path: Path) -> None:
    """A 0444 file is not overwritten (root could, since a rename needs only the folder): one clear line."""
    from engine.io.save import ReadOnlyFile

    path = tmp_path / "locked.yaml"
    path.write_text("kept")
    path.chmod(0o444)
    with pytest.raises(ReadOnlyFile) as caught:
        save_workflow(_wf(), path)
    assert str(caught.value) == f"{path} is read-only; not saved"
    assert isinstance(caught.value, PermissionError)  # callers that handle OSError show it
    assert path.read_text() == "kept" and path.stat().st_mode & 0o777 == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["locked.yaml"]


def test_a_read_only_target_behind_a_symlink_is_refused(tmp_path: Path) -> None:
    from engine.io.save import ReadOnlyFile

    real = tmp_path / "real.yaml"
    real.write_text("kept")
    real.chmod(0o444)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    with pytest.raises(ReadOnlyFile, match="is read-only; not saved"):
        atomic_write(link, b"new")
    assert real.read_text() == "kept" and link.is_symlink()
