"""Files: read, write (atomic replace, safe append), info, make folder, delete to the trash, on real folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from engine.blocks.files import delete, file_info, make_folder, read_file, write_file
from engine.errors import StepError
from tests.engine.blocks.conftest import Ctx, run_yaml


def test_write_then_read_relative_to_workflow_folder(ctx: Ctx, tmp_path: Path) -> None:
    out = write_file(ctx, "out/notes.txt", "hello\nworld")
    assert out["path"] == str(tmp_path / "out" / "notes.txt")
    assert out["size"] == 11
    got = read_file(ctx, "out/notes.txt")
    assert got["content"] == "hello\nworld"
    assert got["lines"] == ["hello", "world"]


def test_write_expands_home(ctx: Ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    out = write_file(ctx, "~/a.txt", "x")
    assert Path(out["path"]) == tmp_path / "home" / "a.txt"


def test_append_keeps_existing_content_and_adds_newline(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "log.txt").write_text("one\n")
    write_file(ctx, "log.txt", "two", append=True, newline=True)
    write_file(ctx, "log.txt", "three", append=True, newline=True)
    assert (tmp_path / "log.txt").read_text() == "one\ntwo\nthree\n"


def test_write_structured_content_as_json(ctx: Ctx, tmp_path: Path) -> None:
    write_file(ctx, "d.json", {"a": [1, 2]})
    assert (tmp_path / "d.json").read_text() == '{"a": [1, 2]}'


def test_overwrite_is_atomic_old_file_kept_when_content_cannot_be_encoded(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("precious")
    with pytest.raises(StepError, match=r"cannot hold"):
        write_file(ctx, "keep.txt", "snowman ☃", encoding="ascii")
    assert (tmp_path / "keep.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]  # no temp file left behind


def test_overwrite_keeps_permissions_and_replaces(ctx: Ctx, tmp_path: Path) -> None:
    f = tmp_path / "script.sh"
    f.write_text("old")
    f.chmod(0o750)
    write_file(ctx, str(f), "new")
    assert f.read_text() == "new"
    assert f.stat().st_mode & 0o777 == 0o750


def test_read_missing_file_names_it(ctx: Ctx, tmp_path: Path) -> None:
    with pytest.raises(StepError, match=r"file not found: .*nope\.txt") as info:
        read_file(ctx, "nope.txt")
    assert info.value.kind == "file"


def test_read_folder_and_wrong_encoding(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    with pytest.raises(StepError, match=r"is a folder"):
        read_file(ctx, "sub")
    with pytest.raises(StepError, match=r"/dev/zero is not a regular file"):
        read_file(ctx, "/dev/zero")
    (tmp_path / "latin.txt").write_bytes("café".encode("latin-1"))
    with pytest.raises(StepError, match=r"not utf-8 text.*latin-1"):
        read_file(ctx, "latin.txt")
    assert read_file(ctx, "latin.txt", encoding="latin-1")["content"] == "café"
    assert read_file(ctx, "latin.txt", binary=True)["content"] == "Y2Fm6Q=="


def test_binary_round_trip(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "img.bin").write_bytes(bytes(range(256)))
    encoded = read_file(ctx, "img.bin", binary=True)["content"]
    write_file(ctx, "copy.bin", encoded, binary=True)
    assert (tmp_path / "copy.bin").read_bytes() == bytes(range(256))
    with pytest.raises(StepError, match=r"content: not base64 data"):
        write_file(ctx, "copy.bin", "not base64!", binary=True)
    assert (tmp_path / "copy.bin").read_bytes() == bytes(range(256))


PERMISSION_SCRIPT = """
import sys, threading
from pathlib import Path
from engine.blocks.files import read_file, write_file
from engine.errors import StepError
from engine.runtime.context import HeadlessHost

class Ctx:
    workflow_dir = Path(sys.argv[1])
    cancel_event = threading.Event()
    host = HeadlessHost()
    def check_cancelled(self): pass
    def remaining(self): return None
    def log(self, *a): pass

for call in (lambda: read_file(Ctx(), "secret.txt"), lambda: write_file(Ctx(), "locked/old.txt", "new")):
    try:
        call()
        print("no error")
    except StepError as exc:
        print(exc)
"""


def without_root_powers() -> list[str]:
    """A command prefix that makes root obey file permissions (drops the capabilities that bypass them)."""
    if os.geteuid() != 0:
        return []
    caps = "-dac_override,-dac_read_search,-fowner"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]


def test_permission_denied_read_and_write(tmp_path: Path) -> None:
    """Runs in a real child process that obeys file permissions even when the tests run as root."""
    folder = Path(tempfile.mkdtemp(prefix="flowdeck-perm-"))
    folder.chmod(0o777)
    try:
        secret = folder / "secret.txt"
        secret.write_text("x")
        secret.chmod(0)
        locked = folder / "locked"
        locked.mkdir()
        (locked / "old.txt").write_text("old")
        (locked / "old.txt").chmod(0o644)
        locked.chmod(0o555)
        done = subprocess.run(
            [*without_root_powers(), sys.executable, "-c", PERMISSION_SCRIPT, str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=Path(__file__).parents[3],
        )
        lines = done.stdout.splitlines()
        assert done.returncode == 0, done.stderr
        assert lines[0] == f"{secret}: permission denied"
        assert "permission denied" in lines[1] and "locked" in lines[1]
        assert (locked / "old.txt").read_text() == "old"  # the old file is intact
    finally:
        locked.chmod(0o700)
        shutil.rmtree(folder)


def test_write_without_create_folders(ctx: Ctx) -> None:
    with pytest.raises(StepError, match=r"folder does not exist.*create_folders"):
        write_file(ctx, "missing/a.txt", "x", create_folders=False)


def test_info_with_hash_and_missing(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"abc")
    info = file_info(ctx, "report.pdf", hash="sha256")
    assert info["exists"] and info["is_file"] and not info["is_folder"]
    assert (info["size"], info["stem"], info["suffix"]) == (3, "report", ".pdf")
    assert info["hash"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert info["age"] >= 0
    assert file_info(ctx, "gone.txt", missing_ok=True)["exists"] is False
    with pytest.raises(StepError, match=r"not found"):
        file_info(ctx, "gone.txt")


def test_make_folder(ctx: Ctx, tmp_path: Path) -> None:
    assert make_folder(ctx, "a/b/c")["created"] is True
    assert make_folder(ctx, "a/b/c")["created"] is False
    (tmp_path / "file").write_text("")
    with pytest.raises(StepError, match=r"already exists and is a file"):
        make_folder(ctx, "file")


def test_delete_to_trash_and_permanent(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x").write_text("x")
    out = delete(ctx, ["a.txt", str(tmp_path / "d")])
    assert out["count"] == 2 and not (tmp_path / "a.txt").exists() and not (tmp_path / "d").exists()
    trash = Path(os.environ["XDG_DATA_HOME"]) / "Trash" / "files"
    assert any(p.name.startswith("a") for p in trash.iterdir())  # recoverable from the trash
    (tmp_path / "b.txt").write_text("b")
    delete(ctx, "b.txt", permanent=True)
    assert not (tmp_path / "b.txt").exists()


def test_delete_missing(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "here.txt").write_text("")
    with pytest.raises(StepError, match=r"not found.*ghost"):
        delete(ctx, ["here.txt", "ghost.txt"])
    assert (tmp_path / "here.txt").exists()  # nothing deleted when one path is wrong
    assert delete(ctx, "ghost.txt", missing_ok=True)["count"] == 0


def test_write_then_read_through_engine(tmp_path: Path) -> None:
    result = run_yaml(
        """flowdeck: 1
name: Files
vars: {who: Ada}
steps:
  write:
    do: file.write
    with: {path: "out/{{ vars.who }}.txt", content: "Hi {{ vars.who }}", newline: true}
    next: again
  again:
    do: file.write
    with: {path: "{{ steps.write.path }}", content: "Bye", append: true}
    next: read
  read:
    do: file.read
    with: {path: out/Ada.txt}
    next: info
  info:
    do: file.info
    with: {path: "{{ steps.write.path }}", hash: md5}
""",
        tmp_path,
    )
    assert result.ok, result.error
    assert result.steps["read"]["lines"] == ["Hi Ada", "Bye"]
    assert result.steps["info"]["size"] == len("Hi Ada\nBye")


def test_engine_run_reports_missing_file_with_step(tmp_path: Path) -> None:
    result = run_yaml(
        "flowdeck: 1\nname: Missing\nsteps:\n  load:\n    do: file.read\n    with: {path: nowhere.csv}\n", tmp_path
    )
    assert result.status == "failed"
    assert result.error["step"] == "load"
    assert "file not found" in result.error["message"] and "nowhere.csv" in result.error["message"]
