"""Files & folders: read, write, information, make a folder, delete (to the trash by default)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from engine.blocks._common import (
    describe_os_error,
    file_in_the_way,
    iso,
    must_exist,
    os_errors,
    paths,
    resolve,
    text_of,
)
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

CATEGORY = "Files & folders"
MAX_READ = 256 * 1024 * 1024  # a step's output lives in memory and in history; refuse absurd sizes
HASHES = ("none", "md5", "sha1", "sha256")


@block(
    "file.read",
    title="Read file",
    category=CATEGORY,
    icon="file-read",
    help="Read a text file (or a binary file as base64) so later steps can use its content.",
    params=[
        Param("path", Kind.PATH, required=True, help="The file; relative paths start at the workflow's folder."),
        Param("encoding", Kind.TEXT, default="utf-8", help="Text encoding, e.g. utf-8, latin-1."),
        Param("binary", Kind.BOOL, default=False, help="Read raw bytes; the content comes out as base64 text."),
    ],
    outputs=[
        Output("content", "the text (or base64 for binary)"),
        Output("lines", "the text split into lines"),
        Output("size", "bytes"),
        Output("path", "the full path"),
    ],
)
def read_file(ctx: StepContext, path: str, encoding: str = "utf-8", binary: bool = False) -> dict[str, Any]:
    file = resolve(ctx, path)
    must_exist(file)
    if file.is_dir():
        raise StepError(f"{file} is a folder; use file.list to see what is in it", kind="file")
    if not file.is_file():
        raise StepError(f"{file} is not a regular file (a device or a pipe); it cannot be read", kind="file")
    with os_errors(file):
        size = file.stat().st_size
        if size > MAX_READ:
            raise StepError(f"{file} is {size:,} bytes; too big to read into a step (limit 256 MB)", kind="file")
        data = file.read_bytes()
    if binary:
        import base64

        return {"content": base64.b64encode(data).decode("ascii"), "lines": [], "size": size, "path": str(file)}
    try:
        text = data.decode(encoding)
    except LookupError:
        raise StepError(f"encoding: unknown text encoding {encoding!r} (try utf-8 or latin-1)", kind="value") from None
    except UnicodeDecodeError as exc:
        raise StepError(
            f"{file} is not {encoding} text (byte {exc.start}); set 'encoding' (e.g. latin-1) or 'binary: true'",
            kind="file",
        ) from None
    return {"content": text, "lines": text.splitlines(), "size": size, "path": str(file)}


@block(
    "file.write",
    title="Write file",
    category=CATEGORY,
    icon="file-write",
    help="Write text to a file, replacing it or adding to its end. Folders on the way are created. "
    "A replaced file is swapped in only once the new content is safely on disk.",
    params=[
        Param("path", Kind.PATH, required=True, help="The file to write.", browse="save"),
        Param(
            "content",
            Kind.MULTILINE,
            default="",
            help="What to write; lists and mappings are written as JSON.",
            data=True,
            main=True,
        ),
        Param("append", Kind.BOOL, default=False, help="Add to the end instead of replacing the file."),
        Param("newline", Kind.BOOL, default=False, help="End the content with a line break if it has none."),
        Param("encoding", Kind.TEXT, default="utf-8", help="Text encoding."),
        Param("binary", Kind.BOOL, default=False, help="The content is base64 (as file.read gives); write its bytes."),
        Param("create_folders", Kind.BOOL, default=True, help="Create missing folders on the way."),
    ],
    outputs=[Output("path", "the full path"), Output("size", "the file's size afterwards, in bytes")],
)
def write_file(
    ctx: StepContext,
    path: str,
    content: Any = "",
    append: bool = False,
    newline: bool = False,
    encoding: str = "utf-8",
    binary: bool = False,
    create_folders: bool = True,
) -> dict[str, Any]:
    file = resolve(ctx, path)
    data = _decode_base64(content) if binary else _encode(content, newline, encoding)
    with os_errors(file):
        prepare_parent(file, create_folders)
        if file.is_dir():
            raise StepError(f"{file} is a folder; give a file name", kind="file")
        if append:
            append_bytes(file, data)
        else:
            from engine.io import atomic_write

            atomic_write(file, data)
        size = file.stat().st_size
    return {"path": str(file), "size": size}


def _encode(content: Any, newline: bool, encoding: str) -> bytes:
    text = text_of(content)
    if newline and not text.endswith("\n"):
        text += "\n"
    try:
        return text.encode(encoding)
    except LookupError:
        raise StepError(f"encoding: unknown text encoding {encoding!r}", kind="value") from None
    except UnicodeEncodeError as exc:
        raise StepError(f"content has characters {encoding} cannot hold ({exc.reason})", kind="value") from None


def _decode_base64(content: Any) -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode(text_of(content), validate=True)
    except (binascii.Error, ValueError):
        raise StepError("content: not base64 data (turn off 'binary' to write text)", kind="value") from None


def prepare_parent(file: Path, create: bool) -> None:
    parent = file.parent
    if parent.is_dir():
        return
    blocker = file_in_the_way(file)
    if blocker is not None:
        raise StepError(f"{file}: {blocker} is a file, not a folder", kind="file")
    if not create:
        raise StepError(f"folder does not exist: {parent} (turn on 'create_folders' to make it)", kind="file")
    with os_errors(parent):
        parent.mkdir(parents=True, exist_ok=True)


def append_bytes(file: Path, data: bytes) -> None:
    """Add ``data`` to the end in one write, then fsync: existing content is never touched."""
    fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


@block(
    "file.info",
    title="File info",
    category=CATEGORY,
    icon="file-info",
    help="Size, times and (optionally) a hash of a file or folder. With 'missing_ok', a missing file gives "
    "exists: false instead of an error.",
    params=[
        Param("path", Kind.PATH, required=True, help="The file or folder.", browse="any"),
        Param("hash", Kind.CHOICE, default="none", choices=HASHES, help="Compute a checksum of the content."),
        Param("missing_ok", Kind.BOOL, default=False, help="A missing file is not an error (exists: false)."),
    ],
    outputs=[
        Output("exists"),
        Output("path"),
        Output("name"),
        Output("stem", "the name without its extension"),
        Output("suffix", "the extension, e.g. .pdf"),
        Output("folder", "the folder it is in"),
        Output("is_file"),
        Output("is_folder"),
        Output("size", "bytes"),
        Output("modified", "date and time, ISO format"),
        Output("created"),
        Output("age", "seconds since it was last modified"),
        Output("hash"),
    ],
)
def file_info(ctx: StepContext, path: str, hash: str = "none", missing_ok: bool = False) -> dict[str, Any]:
    import time

    file = resolve(ctx, path)
    base = {"exists": False, "path": str(file), "name": file.name, "stem": file.stem, "suffix": file.suffix}
    base["folder"] = str(file.parent)
    with os_errors(file):
        missing = not file.exists()
    if missing:
        if missing_ok:
            return base
        must_exist(file)
    with os_errors(file):
        st = file.stat()
        digest = _hash(file, hash, ctx) if hash != "none" and file.is_file() else ""
    created = getattr(st, "st_birthtime", st.st_ctime)
    return {
        **base,
        "exists": True,
        "is_file": file.is_file(),
        "is_folder": file.is_dir(),
        "size": st.st_size,
        "modified": iso(st.st_mtime),
        "created": iso(created),
        "age": round(time.time() - st.st_mtime, 3),
        "hash": digest,
    }


def _hash(file: Path, algorithm: str, ctx: StepContext) -> str:
    import hashlib

    h = hashlib.new(algorithm)
    with file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(chunk)
            ctx.check_cancelled()
    return h.hexdigest()


@block(
    "folder.create",
    title="Make folder",
    category=CATEGORY,
    icon="folder",
    help="Create a folder and any missing folders above it. An existing folder is fine.",
    params=[Param("path", Kind.PATH, required=True, help="The folder to create.", browse="folder")],
    outputs=[Output("path"), Output("created", "false when it already existed")],
)
def make_folder(ctx: StepContext, path: str) -> dict[str, Any]:
    folder = resolve(ctx, path)
    with os_errors(folder):
        if folder.is_dir():
            return {"path": str(folder), "created": False}
        if folder.exists():
            raise StepError(f"{folder} already exists and is a file, not a folder", kind="file")
        folder.mkdir(parents=True, exist_ok=True)
    return {"path": str(folder), "created": True}


@block(
    "file.delete",
    title="Delete",
    category=CATEGORY,
    icon="trash",
    help="Move files or folders to the trash, or delete them for good when 'permanent' is on. "
    "'path' may also be a list, such as file.list's paths output.",
    params=[
        Param("path", Kind.PATH, required=True, help="A file or folder, or a list of them.", browse="any", many=True),
        Param("permanent", Kind.BOOL, default=False, help="Delete for good instead of moving to the trash."),
        Param("missing_ok", Kind.BOOL, default=False, help="A path that does not exist is not an error."),
    ],
    outputs=[Output("deleted", "the paths that were removed"), Output("count")],
)
def delete(ctx: StepContext, path: Any, permanent: bool = False, missing_ok: bool = False) -> dict[str, Any]:
    targets = paths(ctx, path)
    missing = [p for p in targets if not _exists(p)]
    if missing and not missing_ok:
        must_exist(missing[0], "file or folder")
    deleted = []
    for target in targets:
        if target in missing:
            continue
        ctx.check_cancelled()
        _remove(target, permanent)
        deleted.append(str(target))
    if deleted:
        ctx.log(f"{'deleted' if permanent else 'moved to the trash'}: {', '.join(deleted)}")
    return {"deleted": deleted, "count": len(deleted)}


def _exists(path: Path) -> bool:
    with os_errors(path):
        return path.exists() or path.is_symlink()


def _remove(target: Path, permanent: bool) -> None:
    if permanent:
        import shutil

        with os_errors(target):
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink()
        return
    from send2trash import send2trash
    from send2trash.exceptions import TrashPermissionError

    try:
        send2trash(str(target))
    except TrashPermissionError as exc:
        raise StepError(
            f"{target}: cannot be moved to the trash ({exc}); turn on 'permanent' to delete it for good",
            kind="file",
        ) from None
    except OSError as exc:
        raise StepError(
            f"cannot move to the trash: {describe_os_error(exc, target)}; turn on 'permanent' to delete it for good",
            kind="file",
        ) from None
