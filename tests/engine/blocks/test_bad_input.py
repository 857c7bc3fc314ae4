"""Bad input to the file and web blocks, through a real Engine: each failure names the step and the value in plain
words, and nothing is lost. The failures are real ones that stop root too (the tests run as root, where permission
bits do not): a path through a regular file, a folder where a file is expected, a name too long, a file that is not
a zip, a closed port, a server answering 500."""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.engine.blocks.conftest import locked, run_yaml
from tests.support.servers import LocalHTTPServer, closed_port

STEP = "tidy"
LONG = "x" * 300 + ".txt"  # names are limited to 255 bytes


def run_step(folder: Path, do: str, params: dict[str, Any], **variables: Any) -> str:
    """Run one step on a real Engine; it must fail as a person should see it. Returns the message."""
    text = f"flowdeck: 1\nname: Bad input\nsteps:\n  {STEP}:\n    do: {do}\n    with: {json.dumps(params)}\n"
    result = run_yaml(text, folder, variables=variables)
    assert result.status == "failed", result
    assert result.error["step"] == STEP
    message = result.error["message"]
    assert "Errno" not in message and "Traceback" not in message, message
    assert not re.search(r"\b[A-Z]\w*(Error|Exception)\b", message), message
    assert ".partial" not in message, message  # temporary names mean nothing to a person
    return message


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("notes")  # a regular file that paths run through
    (tmp_path / "a.txt").write_text("a")
    return tmp_path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".partial"))


@pytest.mark.parametrize("do", ["file.copy", "file.move"])
def test_copy_move_missing_source(folder: Path, do: str) -> None:
    assert (
        run_step(folder, do, {"path": "ghost.pdf", "to": "x.pdf"})
        == f"file or folder not found: {folder / 'ghost.pdf'}"
    )


@pytest.mark.parametrize("do", ["file.copy", "file.move"])
def test_copy_move_to_a_path_through_a_file(folder: Path, do: str) -> None:
    for create in (True, False):
        message = run_step(folder, do, {"path": "a.txt", "to": "notes.txt/sub/a.txt", "create_folders": create})
        assert message == f"{folder / 'notes.txt/sub/a.txt'}: {folder / 'notes.txt'} is a file, not a folder"
    assert (folder / "a.txt").read_text() == "a" and (folder / "notes.txt").read_text() == "notes"


@pytest.mark.parametrize("do", ["file.copy", "file.move"])
def test_copy_move_a_file_onto_a_folder_and_a_folder_onto_a_file(folder: Path, do: str) -> None:
    (folder / "out" / "a.txt").mkdir(parents=True)
    (folder / "out" / "a.txt" / "keep.txt").write_text("keep")
    message = run_step(folder, do, {"path": "a.txt", "to": "out/", "if_exists": "overwrite"})
    assert (
        message
        == f"{folder / 'out/a.txt'} is a folder; the file {folder / 'a.txt'} cannot replace it (give a file name)"
    )
    assert (folder / "out" / "a.txt" / "keep.txt").read_text() == "keep" and (folder / "a.txt").exists()
    (folder / "proj").mkdir()
    (folder / "out" / "proj").write_text("a file")
    message = run_step(folder, do, {"path": "proj", "to": "out/", "if_exists": "overwrite"})
    assert (
        message
        == f"{folder / 'out/proj'} is a file; the folder {folder / 'proj'} cannot replace it (give a folder name)"
    )
    assert (folder / "out" / "proj").read_text() == "a file" and (folder / "proj").is_dir()
    assert leftovers(folder) == []


@pytest.mark.parametrize("do", ["file.copy", "file.move"])
def test_copy_move_to_a_name_too_long(folder: Path, do: str) -> None:
    assert run_step(folder, do, {"path": "a.txt", "to": LONG}) == f"{folder / LONG}: the name is too long"
    assert run_step(folder, do, {"path": LONG, "to": "b.txt"}) == f"{folder / LONG}: the name is too long"
    assert (folder / "a.txt").read_text() == "a" and leftovers(folder) == []


def test_delete_through_a_file_and_a_name_too_long(folder: Path) -> None:
    message = run_step(
        folder, "file.delete", {"path": "{{ vars.paths }}", "permanent": True}, paths=["a.txt", "notes.txt/old.log"]
    )
    assert message == (
        f"file or folder not found: {folder / 'notes.txt/old.log'} ({folder / 'notes.txt'} is a file, not a folder)"
    )
    assert (
        run_step(folder, "file.delete", {"path": LONG, "permanent": True}) == f"{folder / LONG}: the name is too long"
    )
    assert (folder / "a.txt").exists()  # nothing deleted when one path is wrong


def test_list_through_a_file_and_a_name_too_long(folder: Path) -> None:
    message = run_step(folder, "file.list", {"folder": "notes.txt/sub"})
    assert message == f"folder not found: {folder / 'notes.txt/sub'} ({folder / 'notes.txt'} is a file, not a folder)"
    assert run_step(folder, "file.list", {"folder": "notes.txt"}) == f"{folder / 'notes.txt'} is a file, not a folder"
    assert run_step(folder, "file.list", {"folder": LONG}) == f"{folder / LONG}: the name is too long"


def test_folder_create_through_a_file_and_a_name_too_long(folder: Path) -> None:
    message = run_step(folder, "folder.create", {"path": "notes.txt/sub"})
    assert message == f"{folder / 'notes.txt/sub'}: {folder / 'notes.txt'} is a file, not a folder"
    assert run_step(folder, "folder.create", {"path": LONG}) == f"{folder / LONG}: the name is too long"
    message = run_step(folder, "folder.create", {"path": "notes.txt"})
    assert message == f"{folder / 'notes.txt'} already exists and is a file, not a folder"


def test_zip_to_bad_places(folder: Path) -> None:
    (folder / "proj").mkdir()
    (folder / "proj" / "x.txt").write_text("x")
    message = run_step(folder, "file.zip", {"path": "proj", "to": "notes.txt/backup.zip"})
    assert message == f"to: {folder / 'notes.txt/backup.zip'}: {folder / 'notes.txt'} is a file, not a folder"
    (folder / "Backups").mkdir()
    message = run_step(folder, "file.zip", {"path": "proj", "to": "Backups", "overwrite": True})
    assert (
        message
        == f"to: {folder / 'Backups'} is a folder; give the zip file's name, e.g. {folder / 'Backups'}/archive.zip"
    )
    long_zip = "x" * 300 + ".zip"
    assert (
        run_step(folder, "file.zip", {"path": "proj", "to": long_zip}) == f"{folder / long_zip}: the name is too long"
    )
    assert (
        run_step(folder, "file.zip", {"path": "ghost", "to": "b.zip"})
        == f"file or folder not found: {folder / 'ghost'}"
    )
    assert list((folder / "Backups").iterdir()) == [] and leftovers(folder) == []


def test_unzip_bad_archives_and_bad_places(folder: Path) -> None:
    (folder / "fake.zip").write_text("not a zip")
    message = run_step(folder, "file.unzip", {"path": "fake.zip", "to": "out"})
    assert message == f"{folder / 'fake.zip'} is not a zip file (or it is damaged)"
    with zipfile.ZipFile(folder / "good.zip", "w") as z:
        z.writestr("a/b.txt", "b")
    message = run_step(folder, "file.unzip", {"path": "good.zip", "to": "notes.txt/out"})
    assert (
        message
        == f"to: {folder / 'notes.txt/out'}: {folder / 'notes.txt'} is a file, not a folder; nothing was unpacked"
    )
    message = run_step(folder, "file.unzip", {"path": "good.zip", "to": "notes.txt"})
    assert message == f"to: {folder / 'notes.txt'} is a file, not a folder; nothing was unpacked"
    assert not (folder / "out").exists() and (folder / "notes.txt").read_text() == "notes"


def test_unzip_a_damaged_entry_keeps_the_old_file(folder: Path) -> None:
    with zipfile.ZipFile(folder / "broken.zip", "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("a.txt", "new content!")
    data = (folder / "broken.zip").read_bytes()
    (folder / "broken.zip").write_bytes(data.replace(b"new content!", b"new CONTENT!"))  # the checksum now fails
    message = run_step(folder, "file.unzip", {"path": "broken.zip", "to": ".", "if_exists": "overwrite"})
    assert message == f"{folder / 'broken.zip'}: 'a.txt' is damaged in the zip file and cannot be unpacked"
    assert (folder / "a.txt").read_text() == "a" and leftovers(folder) == []


def test_http_changed_against_a_closed_port_and_a_500(folder: Path, http_server: LocalHTTPServer) -> None:
    port = closed_port()
    url = f"http://127.0.0.1:{port}/page"
    message = run_step(folder, "http.changed", {"url": url})
    assert message == f"{url}: cannot connect to 127.0.0.1:{port}: connection refused (is the server running?)"
    url = f"{http_server.url}/status/500"
    message = run_step(folder, "http.changed", {"url": url})
    assert message == f"GET {url} answered 500 Internal Server Error: status 500 body"


def test_zip_and_unzip_into_a_folder_the_system_refuses(folder: Path) -> None:
    """The temporary file cannot be created: the message names the zip or the file, never the temporary name."""
    (folder / "proj").mkdir()
    (folder / "proj" / "x.txt").write_text("x")
    with zipfile.ZipFile(folder / "good.zip", "w") as z:
        z.writestr("x.txt", "new")
    (folder / "locked").mkdir()
    reason = "not allowed (permission denied)" if os.geteuid() == 0 else "permission denied"
    with locked(folder / "locked"):
        message = run_step(folder, "file.zip", {"path": "proj", "to": "locked/backup.zip"})
        assert message == f"{folder / 'locked/backup.zip'}: {reason}"
        message = run_step(folder, "file.unzip", {"path": "good.zip", "to": "locked"})
        assert message == f"{folder / 'locked/x.txt'}: {reason}"
    assert list((folder / "locked").iterdir()) == []
