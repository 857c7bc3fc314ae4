"""List a folder: glob pattern, recursion, filters on age and size, sorted."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from engine.blocks._common import duration_param, iso, must_exist, os_errors, resolve, size_param
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

KINDS = ("files", "folders", "both")
SORTS = ("name", "modified", "size")


@block(
    "file.list",
    title="List files",
    category="Files & folders",
    icon="folder",
    help="Find files in a folder by pattern, optionally in sub-folders, filtered by age and size. "
    "Loop over the result with for_each, or give 'paths' straight to copy, move or delete.",
    params=[
        Param("folder", Kind.PATH, required=True, help="Where to look.", browse="folder"),
        Param(
            "pattern",
            Kind.TEXT,
            default="*",
            help="A name pattern such as *.pdf or report-??.csv (* any text, ? one character).",
        ),
        Param("recursive", Kind.BOOL, default=False, help="Look in sub-folders too."),
        Param("kind", Kind.CHOICE, default="files", choices=KINDS, help="Files, folders, or both."),
        Param("older_than", Kind.DURATION, default="", help="Only items last changed longer ago than this, e.g. 30d."),
        Param("newer_than", Kind.DURATION, default="", help="Only items changed within this time, e.g. 1h."),
        Param("min_size", Kind.TEXT, default="", help="Only files at least this big, e.g. 10KB."),
        Param("max_size", Kind.TEXT, default="", help="Only files at most this big, e.g. 5MB."),
        Param("hidden", Kind.BOOL, default=False, help="Include names starting with a dot."),
        Param("sort", Kind.CHOICE, default="name", choices=SORTS, help="Order of the result."),
        Param("descending", Kind.BOOL, default=False, help="Newest / biggest / Z first."),
        Param("limit", Kind.INTEGER, default=0, minimum=0, help="Keep at most this many (0 = all)."),
    ],
    outputs=[
        Output("files", "a list of {path, name, stem, suffix, size, modified}"),
        Output("paths", "just the paths"),
        Output("count"),
    ],
    summary="pattern",
)
def list_files(
    ctx: StepContext,
    folder: str,
    pattern: str = "*",
    recursive: bool = False,
    kind: str = "files",
    older_than: Any = "",
    newer_than: Any = "",
    min_size: Any = "",
    max_size: Any = "",
    hidden: bool = False,
    sort: str = "name",
    descending: bool = False,
    limit: int = 0,
) -> dict[str, Any]:
    root = resolve(ctx, folder, "folder")
    must_exist(root, "folder")
    if not root.is_dir():
        raise StepError(f"{root} is a file, not a folder", kind="file")
    if not pattern or "/" in pattern or "\\" in pattern:
        raise StepError(f"pattern: expected a name pattern such as *.pdf (no folders), got {pattern!r}", "value")
    now = time.time()
    older, newer = duration_param(older_than, "older_than"), duration_param(newer_than, "newer_than")
    smallest, biggest = size_param(min_size, "min_size"), size_param(max_size, "max_size")
    found = []
    with os_errors(root):
        candidates = root.rglob(pattern) if recursive else root.glob(pattern)
        for i, path in enumerate(candidates):
            if i % 500 == 0:
                ctx.check_cancelled()
            if not hidden and any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            item = _item(path, kind)
            if item is None:
                continue
            age = now - item["mtime"]
            if (older is not None and age < older) or (newer is not None and age > newer):
                continue
            if item["is_file"] and (
                (smallest is not None and item["size"] < smallest) or (biggest is not None and item["size"] > biggest)
            ):
                continue
            found.append(item)
    key = {"name": lambda i: i["path"].lower(), "modified": lambda i: i["mtime"], "size": lambda i: i["size"]}[sort]
    found.sort(key=key, reverse=descending)
    if limit:
        found = found[:limit]
    files = [_public(i) for i in found]
    return {"files": files, "paths": [f["path"] for f in files], "count": len(files)}


def _item(path: Path, kind: str) -> dict[str, Any] | None:
    try:
        st = path.stat()
    except OSError:  # vanished or a broken link while listing
        return None
    is_dir = path.is_dir()
    if (kind == "files" and is_dir) or (kind == "folders" and not is_dir):
        return None
    return {"path": str(path), "mtime": st.st_mtime, "size": 0 if is_dir else st.st_size, "is_file": not is_dir}


def _public(item: dict[str, Any]) -> dict[str, Any]:
    p = Path(item["path"])
    return {
        "path": item["path"],
        "name": p.name,
        "stem": p.stem,
        "suffix": p.suffix,
        "size": item["size"],
        "modified": iso(item["mtime"]),
        "is_folder": not item["is_file"],
    }
