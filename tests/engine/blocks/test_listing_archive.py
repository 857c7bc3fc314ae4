"""file.list (glob, recursion, age and size filters) and zip/unzip (zip-slip refused) on real folders."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest

from engine.blocks.archive import unzip, zip_files
from engine.blocks.listing import list_files
from engine.errors import StepError
from tests.engine.blocks.conftest import Ctx, fsync_log, run_yaml

DAY = 86400


def make_tree(root: Path) -> None:
    now = time.time()
    for name, size, age_days in [
        ("a.pdf", 10, 0),
        ("b.pdf", 5000, 40),
        ("c.txt", 100, 1),
        ("sub/d.pdf", 20, 2),
        (".hidden/e.pdf", 1, 0),
    ]:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x" * size)
        os.utime(p, (now - age_days * DAY, now - age_days * DAY))


def test_list_pattern_recursive_hidden(ctx: Ctx, tmp_path: Path) -> None:
    make_tree(tmp_path)
    names = lambda out: [f["name"] for f in out["files"]]  # noqa: E731
    assert names(list_files(ctx, ".", "*.pdf")) == ["a.pdf", "b.pdf"]
    assert names(list_files(ctx, ".", "*.pdf", recursive=True)) == ["a.pdf", "b.pdf", "d.pdf"]
    assert names(list_files(ctx, ".", "*.pdf", recursive=True, hidden=True)) == ["e.pdf", "a.pdf", "b.pdf", "d.pdf"]
    assert names(list_files(ctx, ".", "*", kind="folders", hidden=True)) == [".hidden", "sub"]


def test_list_age_size_sort_limit(ctx: Ctx, tmp_path: Path) -> None:
    make_tree(tmp_path)
    old = list_files(ctx, ".", "*", recursive=True, older_than="30d")
    assert old["paths"] == [str(tmp_path / "b.pdf")] and old["count"] == 1
    recent = list_files(ctx, ".", "*", recursive=True, newer_than="36h")
    assert sorted(f["name"] for f in recent["files"]) == ["a.pdf", "c.txt"]
    assert [f["name"] for f in list_files(ctx, ".", "*", min_size="50", max_size="1KB")["files"]] == ["c.txt"]
    newest = list_files(ctx, ".", "*", sort="modified", descending=True, limit=2)
    assert [f["name"] for f in newest["files"]] == ["a.pdf", "c.txt"]


def test_list_bad_input(ctx: Ctx, tmp_path: Path) -> None:
    with pytest.raises(StepError, match=r"folder not found"):
        list_files(ctx, "nope")
    (tmp_path / "f").write_text("")
    with pytest.raises(StepError, match=r"is a file, not a folder"):
        list_files(ctx, "f")
    with pytest.raises(StepError, match=r"min_size: expected a size like"):
        list_files(ctx, ".", min_size="lots")
    with pytest.raises(StepError, match=r"older_than: expected a duration"):
        list_files(ctx, ".", older_than="a month")


def test_zip_and_unzip_round_trip(ctx: Ctx, tmp_path: Path) -> None:
    make_tree(tmp_path / "Projects")
    out = zip_files(ctx, "Projects", "Backups/projects.zip")
    assert out["files"] == 5  # 5 files (the 2 folders are entries of the zip too, but not files)
    assert ctx.progress_calls[-1] == (7, 7)
    with zipfile.ZipFile(out["path"]) as z:
        assert "Projects/sub/d.pdf" in z.namelist()
    with pytest.raises(StepError, match=r"already exists.*overwrite"):
        zip_files(ctx, "Projects", "Backups/projects.zip")
    back = unzip(ctx, "Backups/projects.zip", "restored")
    assert (tmp_path / "restored" / "Projects" / "b.pdf").stat().st_size == 5000
    assert back["count"] == 5
    with pytest.raises(StepError, match=r"already exist; nothing was unpacked"):
        unzip(ctx, "Backups/projects.zip", "restored")
    assert unzip(ctx, "Backups/projects.zip", "restored", if_exists="skip")["count"] == 0


def test_unzip_refuses_zip_slip_and_bad_archives(ctx: Ctx, tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("fine.txt", "ok")
        z.writestr("../../escaped.txt", "gotcha")
    with pytest.raises(StepError, match=r"'\.\./\.\./escaped\.txt'.*outside.*refused"):
        unzip(ctx, "evil.zip", "out")
    assert not (tmp_path / "out" / "fine.txt").exists()
    assert not (tmp_path.parent / "escaped.txt").exists()
    (tmp_path / "fake.zip").write_text("not a zip")
    with pytest.raises(StepError, match=r"not a zip file"):
        unzip(ctx, "fake.zip", "out")
    with pytest.raises(StepError, match=r"zip file not found"):
        unzip(ctx, "missing.zip", "out")


def test_weekly_backup_through_engine(tmp_path: Path) -> None:
    """Zip a folder, then delete old backups found by file.list, as the example workflow does."""
    make_tree(tmp_path / "Projects")
    backups = tmp_path / "Backups"
    backups.mkdir()
    stale = backups / "projects-old.zip"
    stale.write_text("old")
    os.utime(stale, (time.time() - 40 * DAY, time.time() - 40 * DAY))
    result = run_yaml(
        """flowdeck: 1
name: Backup
steps:
  pack:
    do: file.zip
    with: {path: Projects, to: "Backups/projects-{{ now | date }}.zip"}
    next: old
  old:
    do: file.list
    with: {folder: Backups, pattern: "projects-*.zip", older_than: 30d}
    next: remove
  remove:
    do: file.delete
    with: {path: "{{ steps.old.paths }}", permanent: true}
""",
        tmp_path,
    )
    assert result.ok, result.error
    assert result.steps["remove"]["deleted"] == [str(stale)]
    assert [p.name for p in backups.iterdir()] == [Path(result.steps["pack"]["path"]).name]


def test_new_zip_is_on_the_disk_before_it_replaces_the_old_one(
    ctx: Ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path / "Projects")
    old = tmp_path / "backup.zip"
    old.write_bytes(b"the old backup")
    calls = fsync_log(monkeypatch, lambda: old.read_bytes() == b"the old backup")
    zip_files(ctx, "Projects", "backup.zip", overwrite=True)
    with zipfile.ZipFile(old) as z:
        assert "Projects/a.pdf" in z.namelist()
    flushed = {path: old_still_there for path, old_still_there in calls}
    temporary = [p for p in flushed if Path(p).name.startswith(".backup.zip.") and p.endswith(".partial")]
    assert len(temporary) == 1 and flushed[temporary[0]] is True  # flushed while the old zip was still whole
    assert calls[-1][0] == str(tmp_path)  # then the folder, once the new name is in it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Projects", "backup.zip"]


def test_unzip_flushes_a_file_before_it_replaces_one(ctx: Ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with zipfile.ZipFile(tmp_path / "new.zip", "w") as z:
        z.writestr("notes/today.txt", "new notes")
    (tmp_path / "out" / "notes").mkdir(parents=True)
    kept = tmp_path / "out" / "notes" / "today.txt"
    kept.write_text("old notes")
    calls = fsync_log(monkeypatch, lambda: kept.read_text() == "old notes")
    unzip(ctx, "new.zip", "out", if_exists="overwrite")
    assert kept.read_text() == "new notes"
    files = [(p, old) for p, old in calls if Path(p).name.startswith(".today.txt.")]
    assert len(files) == 1 and files[0][1] is True  # the new file was flushed while the old one was still there
    assert str(kept.parent) in [p for p, _ in calls]
