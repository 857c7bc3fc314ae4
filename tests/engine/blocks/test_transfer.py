"""Copy and move on real folders: collision policies, templated names, moves across disks that never lose data."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from engine.blocks.transfer import copy, copy_then_delete, move
from engine.errors import StepError
from tests.engine.blocks.conftest import Ctx, fsync_log, locked, run_yaml


def test_copy_file_into_folder_and_collision_policies(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("new")
    (tmp_path / "dest").mkdir()
    out = copy(ctx, "a.txt", "dest/")
    assert out["path"] == str(tmp_path / "dest" / "a.txt")
    (tmp_path / "a.txt").write_text("newer")
    with pytest.raises(StepError, match=r"dest/a\.txt already exists.*if_exists"):
        copy(ctx, "a.txt", "dest")
    assert copy(ctx, "a.txt", "dest", if_exists="skip")["skipped"] == [str(tmp_path / "a.txt")]
    assert (tmp_path / "dest" / "a.txt").read_text() == "new"
    renamed = copy(ctx, "a.txt", "dest", if_exists="rename")["path"]
    assert Path(renamed).name == "a (2).txt"
    assert Path(copy(ctx, "a.txt", "dest", if_exists="rename")["path"]).name == "a (3).txt"
    copy(ctx, "a.txt", "dest", if_exists="overwrite")
    assert (tmp_path / "dest" / "a.txt").read_text() == "newer"
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["a (2).txt", "a (3).txt", "a.txt"]


def test_copy_folder_and_list_of_paths(ctx: Ctx, tmp_path: Path) -> None:
    src = tmp_path / "proj"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "x.py").write_text("print(1)")
    copy(ctx, "proj", "backup/proj-copy")
    assert (tmp_path / "backup" / "proj-copy" / "sub" / "x.py").read_text() == "print(1)"
    (tmp_path / "1.txt").write_text("1")
    (tmp_path / "2.txt").write_text("2")
    out = copy(ctx, ["1.txt", {"path": str(tmp_path / "2.txt")}], "many")
    assert out["count"] == 2 and sorted(p.name for p in (tmp_path / "many").iterdir()) == ["1.txt", "2.txt"]


def test_move_renames_and_refuses_to_clobber(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "in.pdf").write_text("invoice")
    (tmp_path / "taken.pdf").write_text("other")
    with pytest.raises(StepError, match=r"already exists"):
        move(ctx, "in.pdf", "taken.pdf")
    assert (tmp_path / "in.pdf").read_text() == "invoice" and (tmp_path / "taken.pdf").read_text() == "other"
    out = move(ctx, "in.pdf", "Invoices/2026/in.pdf")
    assert not (tmp_path / "in.pdf").exists()
    assert Path(out["path"]).read_text() == "invoice"


def test_move_missing_source_and_onto_itself(ctx: Ctx, tmp_path: Path) -> None:
    with pytest.raises(StepError, match=r"not found: .*ghost\.pdf"):
        move(ctx, "ghost.pdf", "x.pdf")
    (tmp_path / "same.txt").write_text("s")
    with pytest.raises(StepError, match=r"onto itself"):
        move(ctx, "same.txt", "same.txt", if_exists="overwrite")
    assert (tmp_path / "same.txt").read_text() == "s"


def other_disk() -> Path:
    """A folder on another filesystem than the temp folder (/dev/shm is a tmpfs on Linux)."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.fail("this test needs /dev/shm (a tmpfs) to move across filesystems")
    if os.stat(shm).st_dev == os.stat(tempfile.gettempdir()).st_dev:
        pytest.skip("/dev/shm and the temp folder are the same filesystem (same st_dev): no move across disks here")
    return Path(tempfile.mkdtemp(dir=shm, prefix="flowdeck-"))


def test_move_across_disks_copies_verifies_then_deletes(ctx: Ctx, tmp_path: Path) -> None:
    far = other_disk()
    try:
        (tmp_path / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
        data = (tmp_path / "big.bin").read_bytes()
        (tmp_path / "dir" / "inner").mkdir(parents=True)
        (tmp_path / "dir" / "inner" / "f.txt").write_text("f")
        move(ctx, "big.bin", str(far / "big.bin"))
        move(ctx, "dir", str(far / "dir"))
        assert (far / "big.bin").read_bytes() == data and not (tmp_path / "big.bin").exists()
        assert (far / "dir" / "inner" / "f.txt").read_text() == "f" and not (tmp_path / "dir").exists()
        assert [p.name for p in far.iterdir() if p.name.endswith(".partial")] == []
    finally:
        shutil.rmtree(far)


def test_failed_verify_keeps_source_and_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the copy comes out short, the source stays and an existing target is untouched."""
    src, dest = tmp_path / "src.txt", tmp_path / "dest.txt"
    src.write_text("important")
    dest.write_text("old target")
    real_copy2 = shutil.copy2

    def short_copy(a: str, b: str) -> None:  # a disk that fills up halfway: a real, truncated file
        real_copy2(a, b)
        with open(b, "r+b") as fh:
            fh.truncate(3)

    monkeypatch.setattr(shutil, "copy2", short_copy)
    with pytest.raises(StepError, match=r"incomplete.*original is untouched"):
        copy_then_delete(src, dest, overwrite=True)
    assert src.read_text() == "important" and dest.read_text() == "old target"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest.txt", "src.txt"]


def test_move_with_templated_name_through_engine(tmp_path: Path) -> None:
    (tmp_path / "Downloads").mkdir()
    (tmp_path / "Downloads" / "bill.pdf").write_text("pdf")
    result = run_yaml(
        """flowdeck: 1
name: Move
steps:
  move:
    do: file.move
    with:
      path: "{{ trigger.path }}"
      to: "Invoices/{{ now | date('%Y') }}/{{ now | date('%Y-%m-%d') }} {{ trigger.path | basename }}"
      if_exists: rename
""",
        tmp_path,
        trigger={"path": str(tmp_path / "Downloads" / "bill.pdf")},
    )
    assert result.ok, result.error
    moved = Path(result.steps["move"]["path"])
    assert moved.read_text() == "pdf" and moved.name.endswith(" bill.pdf") and moved.parent.parent.name == "Invoices"


def test_move_across_disks_flushes_the_copy_before_deleting_the_source(
    ctx: Ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    far = other_disk()
    try:
        (tmp_path / "dir" / "inner").mkdir(parents=True)
        (tmp_path / "dir" / "inner" / "f.txt").write_text("f")
        (tmp_path / "dir" / "top.txt").write_text("top")
        calls = fsync_log(monkeypatch, (tmp_path / "dir").exists)
        move(ctx, "dir", str(far / "dir"))
        assert not (tmp_path / "dir").exists() and (far / "dir" / "inner" / "f.txt").read_text() == "f"
        flushed = [path for path, _ in calls]
        assert all(existed for _, existed in calls), "a flush came after the source was deleted"
        assert any(p.startswith(str(far)) and p.endswith("/inner/f.txt") for p in flushed)
        assert any(p.startswith(str(far)) and p.endswith("/top.txt") for p in flushed)
        assert flushed[-1] == str(far)  # the folder holding the new name, last, before the source goes
    finally:
        shutil.rmtree(far)


def test_move_across_disks_keeps_the_source_when_the_copy_fails(ctx: Ctx, tmp_path: Path) -> None:
    """A named pipe cannot be copied (a real failure even as root): nothing is deleted, nothing half-copied."""
    far = other_disk()
    try:
        src = tmp_path / "project"
        src.mkdir()
        (src / "a.txt").write_text("keep me")
        os.mkfifo(src / "pipe")
        with pytest.raises(StepError) as failed:
            move(ctx, "project", str(far / "project"))
        assert str(failed.value) == (
            f"{src / 'pipe'} is a special file (a named pipe or a device) and cannot be copied; "
            "the original is untouched"
        )
        assert (src / "a.txt").read_text() == "keep me" and (src / "pipe").exists()
        assert list(far.iterdir()) == []
    finally:
        shutil.rmtree(far)


def test_verify_compares_every_file_not_just_the_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One file short and another as much too long: the total matches, the copy is still refused."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("aaaaaa")
    (src / "b.txt").write_text("bbbbbb")
    real_copy2 = shutil.copy2

    def skewed_copy(a: str, b: str) -> None:
        real_copy2(a, b)
        with open(b, "r+b") as fh:
            if a.endswith("a.txt"):
                fh.truncate(3)
            else:
                fh.seek(0, os.SEEK_END)
                fh.write(b"xxx")

    monkeypatch.setattr(shutil, "copy2", skewed_copy)
    with pytest.raises(StepError) as failed:
        copy_then_delete(src, tmp_path / "dest", overwrite=False)
    assert str(failed.value) == f"the copy of {src} is incomplete (a.txt has 3 of 6 bytes); the original is untouched"
    assert sorted(p.name for p in src.iterdir()) == ["a.txt", "b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_copy_of_a_long_name_fits_its_temporary_name(ctx: Ctx, tmp_path: Path) -> None:
    """A 240-character name is allowed (255 is the limit); the temporary name next to it must fit too."""
    name = "r" * 236 + ".pdf"
    (tmp_path / name).write_text("long")
    out = copy(ctx, name, "copies/")
    assert Path(out["path"]).read_text() == "long"
    assert [p.name for p in (tmp_path / "copies").iterdir()] == [name]


def test_move_across_disks_into_a_locked_folder_keeps_the_source(tmp_path: Path) -> None:
    """The copy cannot even start (a real refusal by the system); through an Engine, the step is named."""
    far = other_disk()
    try:
        (tmp_path / "report.pdf").write_text("the only copy")
        with locked(far):
            result = run_yaml(
                f"flowdeck: 1\nname: Archive\nsteps:\n  archive:\n    do: file.move\n"
                f"    with: {{path: report.pdf, to: {str(far)!r}}}\n",
                tmp_path,
            )
        assert result.status == "failed" and result.error["step"] == "archive"
        reason = "not allowed (permission denied)" if os.geteuid() == 0 else "permission denied"
        assert result.error["message"] == (
            f"cannot move {tmp_path / 'report.pdf'} to {far / 'report.pdf'}: {reason}; the original is untouched"
        )
        assert (tmp_path / "report.pdf").read_text() == "the only copy"
        assert list(far.iterdir()) == []
    finally:
        shutil.rmtree(far)
