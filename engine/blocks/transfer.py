"""Copy and move (rename) files and folders, with a policy for names that are already taken.

A move never loses data: on the same disk it is one atomic rename; across disks the copy is
completed and its size checked before the source is deleted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from engine.blocks._common import must_exist, os_errors, paths, resolve
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

CATEGORY = "Files & folders"
POLICIES = ("fail", "overwrite", "rename", "skip")

_COMMON = [
    Param(
        "to",
        Kind.PATH,
        required=True,
        help="The new path, or an existing folder (ends with /) to put it in under the same name. "
        "Expressions make names, e.g. ~/Invoices/{{ now | date('%Y-%m-%d') }}-{{ trigger.path | basename }}.",
    ),
    Param(
        "if_exists",
        Kind.CHOICE,
        default="fail",
        choices=POLICIES,
        help="When the target exists: fail, overwrite it, rename to a free name (name (2).pdf), or skip.",
    ),
    Param("create_folders", Kind.BOOL, default=True, help="Create missing folders on the way."),
]
_OUTPUTS = [
    Output("path", "where the (last) item ended up"),
    Output("paths", "every new path"),
    Output("skipped", "sources left alone because the target existed"),
    Output("count", "how many were copied or moved"),
]


@block(
    "file.copy",
    title="Copy",
    category=CATEGORY,
    icon="file-copy",
    help="Copy a file or a folder (with everything in it). 'path' may be a list, e.g. file.list's paths.",
    params=[Param("path", Kind.PATH, required=True, help="What to copy."), *_COMMON],
    outputs=_OUTPUTS,
    summary="to",
)
def copy(ctx: StepContext, path: Any, to: str, if_exists: str = "fail", create_folders: bool = True) -> dict:
    return _transfer(ctx, path, to, if_exists, create_folders, _copy_item)


@block(
    "file.move",
    title="Move / rename",
    category=CATEGORY,
    icon="file-move",
    help="Move or rename a file or folder. Across disks it copies, checks the copy, then removes the original.",
    params=[Param("path", Kind.PATH, required=True, help="What to move."), *_COMMON],
    outputs=_OUTPUTS,
    summary="to",
)
def move(ctx: StepContext, path: Any, to: str, if_exists: str = "fail", create_folders: bool = True) -> dict:
    return _transfer(ctx, path, to, if_exists, create_folders, move_item)


def _transfer(ctx: StepContext, path: Any, to: str, policy: str, create: bool, action: Any) -> dict[str, Any]:
    if policy not in POLICIES:
        raise StepError(f"if_exists: expected one of {', '.join(POLICIES)}, got {policy!r}", kind="value")
    sources = paths(ctx, path)
    for src in sources:
        must_exist(src, "file or folder")
    target = resolve(ctx, to, "to")
    into_folder = len(sources) > 1 or str(to).endswith(("/", os.sep)) or target.is_dir()
    if len(sources) > 1 and target.exists() and not target.is_dir():
        raise StepError(f"to: {target} is a file; several items can only go into a folder", kind="file")
    done: list[str] = []
    skipped: list[str] = []
    for src in sources:
        ctx.check_cancelled()
        dest = target / src.name if into_folder else target
        if _same(src, dest):
            raise StepError(f"{src} would be copied or moved onto itself", kind="file")
        dest = _free_target(dest, policy)
        if dest is None:
            skipped.append(str(src))
            continue
        _prepare(dest, create)
        with os_errors(src):
            action(src, dest, overwrite=policy == "overwrite")
        done.append(str(dest))
    if skipped:
        ctx.log(f"skipped (target exists): {', '.join(skipped)}")
    return {"path": done[-1] if done else "", "paths": done, "skipped": skipped, "count": len(done)}


def _same(src: Path, dest: Path) -> bool:
    try:
        return dest.exists() and os.path.samefile(src, dest)
    except OSError:
        return False


def _free_target(dest: Path, policy: str) -> Path | None:
    """The path to write to under the policy, or None to skip."""
    if not dest.exists() and not dest.is_symlink():
        return dest
    if policy == "fail":
        raise StepError(f"{dest} already exists (set 'if_exists' to overwrite, rename or skip)", kind="file")
    if policy == "skip":
        return None
    if policy == "overwrite":
        return dest
    return unique_name(dest)


def unique_name(dest: Path) -> Path:
    """``report.pdf`` -> ``report (2).pdf``, ``report (3).pdf``... the first free one."""
    stem, suffix = (dest.name, "") if dest.is_dir() else (dest.stem, dest.suffix)
    for n in range(2, 100_000):
        candidate = dest.with_name(f"{stem} ({n}){suffix}")
        if not candidate.exists():
            return candidate
    raise StepError(f"no free name next to {dest}", kind="file")


def _prepare(dest: Path, create: bool) -> None:
    if dest.parent.is_dir():
        return
    if not create:
        raise StepError(f"folder does not exist: {dest.parent} (turn on 'create_folders')", kind="file")
    with os_errors(dest.parent):
        dest.parent.mkdir(parents=True, exist_ok=True)


def _copy_item(src: Path, dest: Path, overwrite: bool) -> None:
    """Copy into a temporary name next to the target, then swap it in: an existing target stays whole."""
    import shutil

    tmp = _tmp_name(dest)
    try:
        if src.is_dir():
            shutil.copytree(src, tmp, symlinks=True)
        else:
            shutil.copy2(src, tmp)
        _verify(src, tmp)
        _replace(tmp, dest, overwrite)
    except BaseException:
        _discard(tmp)
        raise


def move_item(src: Path, dest: Path, overwrite: bool) -> None:
    """Rename when possible; otherwise copy, verify, swap in, and only then delete the source."""
    if dest.exists() and not overwrite:
        raise FileExistsError(17, "already exists", str(dest))
    try:
        if dest.is_dir() and overwrite and src.is_dir():
            _replace_dir_by_rename(src, dest)
        else:
            os.replace(src, dest)
        return
    except OSError as exc:
        if exc.errno != 18:  # EXDEV: on another disk
            raise
    copy_then_delete(src, dest, overwrite)


def copy_then_delete(src: Path, dest: Path, overwrite: bool) -> None:
    import shutil

    _copy_item(src, dest, overwrite)
    if src.is_dir() and not src.is_symlink():
        shutil.rmtree(src)
    else:
        src.unlink()


def _replace_dir_by_rename(src: Path, dest: Path) -> None:
    import shutil

    old = _tmp_name(dest)
    os.rename(dest, old)
    try:
        os.rename(src, dest)
    except BaseException:
        os.rename(old, dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _tmp_name(dest: Path) -> Path:
    import uuid

    return dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.partial")


def _size(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size if path.is_symlink() else path.stat().st_size
    return sum(_size(p) for p in path.iterdir())


def _verify(src: Path, copy: Path) -> None:
    a, b = _size(src), _size(copy)
    if a != b:
        raise StepError(f"the copy of {src} is incomplete ({b:,} of {a:,} bytes); the original is untouched", "file")


def _replace(tmp: Path, dest: Path, overwrite: bool) -> None:
    if dest.exists() and not overwrite:
        raise FileExistsError(17, "already exists", str(dest))
    if dest.is_dir() and not dest.is_symlink():
        _replace_dir_by_rename(tmp, dest)
    else:
        os.replace(tmp, dest)


def _discard(tmp: Path) -> None:
    import shutil

    if tmp.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        try:
            tmp.unlink()
        except OSError:
            pass
