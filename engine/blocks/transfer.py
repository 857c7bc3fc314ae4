"""Copy and move (rename) files and folders, with a policy for names that are already taken.

A move never loses data: on the same disk it is one atomic rename; across disks the copy is
completed, every file's size checked and flushed to the disk before the source is deleted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from engine.blocks._common import (
    describe_os_error,
    file_in_the_way,
    is_temporary,
    must_exist,
    os_errors,
    os_reason,
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
POLICIES = ("fail", "overwrite", "rename", "skip")

_COMMON = [
    Param(
        "to",
        Kind.PATH,
        required=True,
        browse="any",
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
    params=[
        Param("path", Kind.PATH, required=True, help="What to copy, or a list of paths.", browse="any", many=True),
        *_COMMON,
    ],
    outputs=_OUTPUTS,
    summary="to",
)
def copy(ctx: StepContext, path: Any, to: str, if_exists: str = "fail", create_folders: bool = True) -> dict:
    return _transfer(ctx, path, to, if_exists, create_folders, "copy")


@block(
    "file.move",
    title="Move / rename",
    category=CATEGORY,
    icon="file-move",
    help="Move or rename a file or folder. Across disks it copies, checks the copy, then removes the original.",
    params=[
        Param("path", Kind.PATH, required=True, help="What to move, or a list of paths.", browse="any", many=True),
        *_COMMON,
    ],
    outputs=_OUTPUTS,
    summary="to",
)
def move(ctx: StepContext, path: Any, to: str, if_exists: str = "fail", create_folders: bool = True) -> dict:
    return _transfer(ctx, path, to, if_exists, create_folders, "move")


def _transfer(ctx: StepContext, path: Any, to: str, policy: str, create: bool, verb: str) -> dict[str, Any]:
    if policy not in POLICIES:
        raise StepError(f"if_exists: expected one of {', '.join(POLICIES)}, got {policy!r}", kind="value")
    sources = paths(ctx, path)
    for src in sources:
        must_exist(src, "file or folder")
    target = resolve(ctx, to, "to")
    with os_errors(target):
        into_folder = len(sources) > 1 or str(to).endswith(("/", os.sep)) or target.is_dir()
        if len(sources) > 1 and target.exists() and not target.is_dir():
            raise StepError(f"to: {target} is a file; several items can only go into a folder", kind="file")
    done: list[str] = []
    skipped: list[str] = []
    for src in sources:
        ctx.check_cancelled()
        dest = _one(src, target / src.name if into_folder else target, policy, create, verb)
        if dest is None:
            skipped.append(str(src))
        else:
            done.append(str(dest))
    if skipped:
        ctx.log(f"skipped (target exists): {', '.join(skipped)}")
    return {"path": done[-1] if done else "", "paths": done, "skipped": skipped, "count": len(done)}


def _one(src: Path, dest: Path, policy: str, create: bool, verb: str) -> Path | None:
    """Copy or move one item under the policy; the path it went to, or None when skipped."""
    with os_errors(dest):
        if _same(src, dest):
            raise StepError(f"{src} would be copied or moved onto itself", kind="file")
        free = _free_target(dest, policy)
        if free is None:
            return None
        _check_kinds(src, free)
        _prepare(free, create)
    action = _copy_item if verb == "copy" else move_item
    try:
        action(src, free, overwrite=policy == "overwrite")
    except OSError as exc:
        raise _failed(verb, src, free, exc) from None
    return free


def _failed(verb: str, src: Path, dest: Path, exc: OSError) -> StepError:
    # Name the inner file only when it is neither end (a file inside a folder being copied).
    inner = next((str(p) for p in (exc.filename, exc.filename2) if p and not is_temporary(p)), None)
    reason = os_reason(exc) if inner in (None, str(src), str(dest)) else describe_os_error(exc)
    return StepError(f"cannot {verb} {src} to {dest}: {reason}; the original is untouched", kind="file")


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


def _check_kinds(src: Path, dest: Path) -> None:
    """An existing target is replaced only by the same kind: a file never takes a folder's place."""
    if not dest.exists() or dest.is_symlink() or dest.is_dir() == src.is_dir():
        return
    if dest.is_dir():
        raise StepError(f"{dest} is a folder; the file {src} cannot replace it (give a file name)", kind="file")
    raise StepError(f"{dest} is a file; the folder {src} cannot replace it (give a folder name)", kind="file")


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
    blocker = file_in_the_way(dest)
    if blocker is not None:
        raise StepError(f"{dest}: {blocker} is a file, not a folder", kind="file")
    if not create:
        raise StepError(f"folder does not exist: {dest.parent} (turn on 'create_folders')", kind="file")
    with os_errors(dest.parent):
        dest.parent.mkdir(parents=True, exist_ok=True)


def _copy_item(src: Path, dest: Path, overwrite: bool) -> None:
    """Copy into a temporary name next to the target, check it, flush it to the disk, then swap it in:
    an existing target stays whole, and the copy survives a power cut once this returns."""
    import shutil

    tmp = tmp_name(dest)
    try:
        try:
            if src.is_dir():
                shutil.copytree(src, tmp, symlinks=True, copy_function=_copy_file)
            else:
                _copy_file(str(src), str(tmp))
        except _FileFailed as failed:
            raise failed.error from None
        except shutil.Error as exc:  # copytree collects what it could not copy; report the first
            raise StepError(_copytree_problem(src, exc), kind="file") from None
        _verify(src, tmp)
        sync_tree(tmp)
        _replace(tmp, dest, overwrite)
    except BaseException:
        _discard(tmp)
        raise


class _FileFailed(Exception):
    """Carries a file's OSError out of copytree, which would otherwise collect it and carry on."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


def _copy_file(src: str, dest: str) -> None:
    import shutil

    try:
        shutil.copy2(src, dest)
    except shutil.SpecialFileError:
        raise StepError(
            f"{src} is a special file (a named pipe or a device) and cannot be copied; the original is untouched",
            kind="file",
        ) from None
    except OSError as exc:
        raise _FileFailed(exc) from None


def _copytree_problem(src: Path, exc: Exception) -> str:
    import re

    problems = exc.args[0] if exc.args and isinstance(exc.args[0], list) else [(str(src), "", str(exc))]
    first, _, why = problems[0]
    why = re.sub(r"^\[Errno \d+\] |: '[^']*'$", "", str(why))  # the reason without codes or paths
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"cannot copy {first}: {why}{more}; the original {src} is untouched"


def move_item(src: Path, dest: Path, overwrite: bool) -> None:
    """Rename when possible; otherwise copy, verify, flush, swap in, and only then delete the source."""
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
    try:
        if src.is_dir() and not src.is_symlink():
            shutil.rmtree(src)
        else:
            src.unlink()
    except OSError as exc:
        raise StepError(
            f"{src} was copied to {dest}, but the original could not be removed: {describe_os_error(exc, src)}",
            kind="file",
        ) from None


def _replace_dir_by_rename(src: Path, dest: Path) -> None:
    import shutil

    old = tmp_name(dest)
    os.rename(dest, old)
    try:
        os.rename(src, dest)
    except BaseException:
        os.rename(old, dest)
        raise
    sync_folder(dest.parent)  # the new folder's name is on the disk before the old one goes
    shutil.rmtree(old, ignore_errors=True)


def _sizes(root: Path) -> dict[str, int]:
    """Every item under ``root`` (or root itself) by relative path: a file's size, a link's, -1 for a folder."""
    if not root.is_dir():
        return {"": root.stat().st_size}
    found: dict[str, int] = {}
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        for name in dirs + files:
            item = base / name
            rel = str(item.relative_to(root))
            found[rel] = item.lstat().st_size if item.is_symlink() else -1 if name in dirs else item.stat().st_size
    return found


def _verify(src: Path, copy: Path) -> None:
    """Every file of the original is in the copy with the same size; else the copy is refused."""
    want, got = _sizes(src), _sizes(copy)
    for rel, size in sorted(want.items()):
        name = rel or src.name
        if rel not in got:
            problem = f"{name} is missing"
        elif got[rel] != size:
            problem = f"{name} has {got[rel]:,} of {size:,} bytes"
        else:
            continue
        raise StepError(f"the copy of {src} is incomplete ({problem}); the original is untouched", "file")


def _replace(tmp: Path, dest: Path, overwrite: bool) -> None:
    if dest.exists() and not overwrite:
        raise FileExistsError(17, "already exists", str(dest))
    if dest.is_dir() and not dest.is_symlink():
        _replace_dir_by_rename(tmp, dest)
    else:
        os.replace(tmp, dest)
        sync_folder(dest.parent)


def _discard(tmp: Path) -> None:
    import shutil

    if tmp.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        try:
            tmp.unlink()
        except OSError:
            pass
