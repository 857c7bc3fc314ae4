"""Zip and unzip. A zip is written under a temporary name and swapped in when complete and on the disk;
unzipping refuses entries that would land outside the target folder (zip-slip)."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from engine.blocks._common import (
    file_in_the_way,
    must_exist,
    os_errors,
    paths,
    resolve,
    sync_folder,
    sync_tree,
    tmp_name,
)
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

CATEGORY = "Files & folders"
MAX_UNPACKED = 8 * 1024**3  # refuse archives that claim to unpack to more than 8 GB (zip bombs)


@block(
    "file.zip",
    title="Zip",
    category=CATEGORY,
    icon="zip",
    help="Pack files and folders into a .zip file. An existing zip is replaced only when the new one is complete.",
    params=[
        Param(
            "path",
            Kind.PATH,
            required=True,
            help="A file or folder to pack, or a list of them.",
            browse="any",
            many=True,
        ),
        Param(
            "to",
            Kind.PATH,
            required=True,
            help="The zip file to create, e.g. ~/Backups/projects-{{ now | date }}.zip",
            browse="save",
        ),
        Param("overwrite", Kind.BOOL, default=False, help="Replace the zip file if it exists."),
        Param("hidden", Kind.BOOL, default=True, help="Include files and folders whose names start with a dot."),
    ],
    outputs=[Output("path", "the zip file"), Output("files", "how many files it holds"), Output("size", "bytes")],
    summary="to",
)
def zip_files(ctx: StepContext, path: Any, to: str, overwrite: bool = False, hidden: bool = True) -> dict[str, Any]:
    import zipfile

    sources = paths(ctx, path)
    for src in sources:
        must_exist(src, "file or folder")
    target = resolve(ctx, to, "to")
    with os_errors(target):
        _check_zip_target(target, overwrite)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = tmp_name(target)
        members = [m for src in sources for m in _members(src, hidden, target)]
    count = done = 0
    try:
        with os_errors(target), zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for file, name in members:
                ctx.check_cancelled()
                archive.write(file, name)
                done += 1
                count += file.is_file()  # folder entries are written too, but 'files' counts files
                ctx.progress(done, len(members))
        with os_errors(target):
            sync_tree(tmp)  # the new zip is on the disk before it replaces an old one
            os.replace(tmp, target)
            sync_folder(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    ctx.log(f"packed {count} files into {target}")
    return {"path": str(target), "files": count, "size": target.stat().st_size}


def _check_zip_target(target: Path, overwrite: bool) -> None:
    if target.is_dir():
        raise StepError(f"to: {target} is a folder; give the zip file's name, e.g. {target / 'archive.zip'}", "value")
    if target.exists() and not overwrite:
        raise StepError(f"{target} already exists (turn on 'overwrite' to replace it)", kind="file")
    blocker = file_in_the_way(target)
    if blocker is not None:
        raise StepError(f"to: {target}: {blocker} is a file, not a folder", kind="file")


def _members(src: Path, hidden: bool, *skip: Path) -> Any:
    """(file, name in the archive) for a file, or for a folder and everything under it (folder name kept)."""
    if src.is_file():
        yield src, src.name
        return
    for file in sorted(src.rglob("*")):
        rel = file.relative_to(src)
        if not hidden and any(part.startswith(".") for part in rel.parts):
            continue
        if file in skip or not (file.is_file() or file.is_dir()):
            continue
        yield file, str(PurePosixPath(src.name, *rel.parts))


@block(
    "file.unzip",
    title="Unzip",
    category=CATEGORY,
    icon="zip",
    help="Unpack a .zip file into a folder. Entries that would land outside the folder are refused.",
    params=[
        Param("path", Kind.PATH, required=True, help="The zip file."),
        Param("to", Kind.PATH, required=True, help="The folder to unpack into (created if missing).", browse="folder"),
        Param(
            "if_exists",
            Kind.CHOICE,
            default="fail",
            choices=("fail", "overwrite", "skip"),
            help="When a file is already there: stop before unpacking anything, replace it, or keep it.",
        ),
    ],
    outputs=[Output("folder"), Output("files", "the unpacked paths"), Output("count")],
    summary="to",
)
def unzip(ctx: StepContext, path: str, to: str, if_exists: str = "fail") -> dict[str, Any]:
    import zipfile

    archive_path = resolve(ctx, path)
    must_exist(archive_path, "zip file")
    folder = resolve(ctx, to, "to")
    try:
        archive = zipfile.ZipFile(archive_path)
    except zipfile.BadZipFile:
        raise StepError(f"{archive_path} is not a zip file (or it is damaged)", kind="file") from None
    except OSError as exc:
        with os_errors(archive_path):
            raise exc
    with archive:
        with os_errors(folder):
            _check_folder(folder)
            entries = _check_entries(archive, folder)
            clashes = [dest for info, dest in entries if dest.exists() and not info.is_dir()]
        if clashes and if_exists == "fail":
            more = f" and {len(clashes) - 1} more" if len(clashes) > 1 else ""
            raise StepError(
                f"{clashes[0]}{more} already exist; nothing was unpacked (set 'if_exists' to overwrite or skip)",
                kind="file",
            )
        written = _unpack(ctx, archive, entries, if_exists == "skip")
    return {"folder": str(folder), "files": written, "count": len(written)}


def _check_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise StepError(f"to: {folder} is a file, not a folder; nothing was unpacked", kind="file")
    blocker = file_in_the_way(folder)
    if blocker is not None:
        raise StepError(f"to: {folder}: {blocker} is a file, not a folder; nothing was unpacked", kind="file")


def _unpack(ctx: StepContext, archive: Any, entries: list[tuple[Any, Path]], skip: bool) -> list[str]:
    """Write the entries; every file is on the disk before it replaces one, their folders at the end."""
    written: list[str] = []
    folders: set[Path] = set()
    for done, (info, dest) in enumerate(entries, 1):
        ctx.check_cancelled()
        ctx.progress(done, len(entries))
        with os_errors(dest):
            if info.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                folders.add(dest.parent)
                continue
            if dest.exists() and skip:
                continue
        _extract(archive, info, dest)
        written.append(str(dest))
        folders.add(dest.parent)
    for folder in sorted(folders):
        with os_errors(folder):
            sync_folder(folder)
    return written


def _check_entries(archive: Any, folder: Path) -> list[tuple[Any, Path]]:
    """Every entry with its destination; refuses the whole archive if one would escape the folder."""
    root = folder.resolve()
    entries = []
    total = 0
    for info in archive.infolist():
        name = info.filename
        dest = (root / name).resolve()
        if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts or not dest.is_relative_to(root):
            raise StepError(
                f"the zip file contains '{name}', which would be written outside {folder}; refused (nothing unpacked)",
                kind="file",
            )
        total += info.file_size
        entries.append((info, dest))
    if total > MAX_UNPACKED:
        raise StepError(f"the zip file would unpack to {total:,} bytes; refused (limit 8 GB)", kind="file")
    return entries


def _extract(archive: Any, info: Any, dest: Path) -> None:
    import shutil
    import zipfile
    import zlib

    tmp = tmp_name(dest)
    with os_errors(dest):
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(info) as src, open(tmp, "wb") as out:
                shutil.copyfileobj(src, out, 1024 * 1024)
            sync_tree(tmp)
            os.replace(tmp, dest)
        except (zipfile.BadZipFile, zlib.error, EOFError):
            raise StepError(
                f"{archive.filename}: '{info.filename}' is damaged in the zip file and cannot be unpacked", kind="file"
            ) from None
        finally:
            tmp.unlink(missing_ok=True)
