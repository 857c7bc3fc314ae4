"""What travels with a run: the workflow and every file its ``workflow.run`` steps reach, and what the run needs.

A worker has none of the daemon's files, so each child workflow named by a plain path goes in the message
(recursively), known by its path relative to the main file. A child outside the reach of relative paths (an absolute
path elsewhere, ``~``, too many ``..``) is placed under ``_outside/`` in the bundle and the step that names it is
rewritten to reach it there. A templated path (``{{ … }}``) cannot be known before the run: such a run is refused at
dispatch (``Unsendable``), in one line naming the file and the step. A run that uses a Desktop block (in any of its
files) needs a worker with a desktop session: the ``desktop`` tag.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

MAX_DEPTH = 8  # ``..`` levels a bundled file may sit above the workflow's folder
MAX_FILES = 200  # files of one bundle (a workflow.run chain longer than this is a design problem)
DESKTOP = "desktop"  # the tag of workers that have a desktop session
DESKTOP_CATEGORY = "Desktop"  # the block category that needs one (keyboard, mouse, windows, screen, ask)


class Unsendable(ValueError):
    """A run that cannot be sent to a worker as data; the text is one line for the history and the log."""


@dataclass
class Collected:
    """The files of a bundle (relative path → text and the daemon file it came from) and the desktop blocks used."""

    texts: dict[str, str] = field(default_factory=dict)
    sources: dict[str, Path | None] = field(default_factory=dict)
    desktop: set[str] = field(default_factory=set)


def collect(workflow: Any, path: Path | None, main: str) -> Collected:
    """Every file the run of ``workflow`` (the file ``path``, ``main`` in the bundle) can reach; Unsendable when one
    is named by a template."""
    from engine.io.save import dumps

    out = Collected()
    out.sources[main] = path
    out.texts[main] = ""  # reserved before the children: a child that names the main file finds it bundled
    if path is not None:
        _walk(workflow, path, main, out)
    else:
        _desktop_blocks(workflow, out)
    out.texts[main] = dumps(workflow)
    return out


def _walk(workflow: Any, path: Path, rel: str, out: Collected) -> bool:
    """Add the children of ``workflow`` (the file ``path`` at ``rel``); True when a step's path was rewritten."""
    _desktop_blocks(workflow, out)
    rewritten = False
    for step_id, step in workflow.steps.items():
        target = step.params.get("path") if step.do == "workflow.run" else None
        if not isinstance(target, str) or not target.strip():
            continue
        if "{{" in target:
            raise Unsendable(
                f"{path.name}: steps.{step_id}.with.path is a template ({target!r}); a run sent to a worker takes "
                "only the workflow files named by a plain path: name the file plainly, or run it without --broker"
            )
        child = (path.parent / Path(target).expanduser()).resolve()
        child_rel = _place(child, rel, out)
        wanted = posixpath.relpath(child_rel, posixpath.dirname(rel) or ".")
        as_written = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
        if Path(target).is_absolute() or target.startswith("~") or as_written != child_rel:
            step.params = {**step.params, "path": wanted}
            rewritten = True
        if child_rel in out.texts or len(out.texts) >= MAX_FILES:
            continue
        _add(child, child_rel, out)
    return rewritten


def _add(child: Path, rel: str, out: Collected) -> None:
    from engine.io.load import read_text
    from engine.io.save import dumps

    try:
        text = child.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # not bundled: the run fails on the worker when it reaches the step, as it would here
    out.texts[rel], out.sources[rel] = text, child
    workflow, _problems = read_text(text, str(child), check=False)
    if workflow is not None and _walk(workflow, child, rel, out):
        out.texts[rel] = dumps(workflow)  # a step of it was rewritten to reach its child inside the bundle


def _place(child: Path, parent_rel: str, out: Collected) -> str:
    """Where ``child`` sits in the bundle: its path relative to the main file, or ``_outside/…`` when that is too
    far up (the same file always gets the same place)."""
    for rel, source in out.sources.items():
        if source == child:
            return rel
    main = next(iter(out.sources.values()))
    assert main is not None
    rel = Path(os.path.relpath(child, main.parent)).as_posix()
    if PurePosixPath(rel).parts.count("..") > MAX_DEPTH or rel.startswith("_outside/"):
        digest = hashlib.sha256(str(child).encode()).hexdigest()[:12]
        rel = f"_outside/{digest}/{child.name}"
    return rel


def _desktop_blocks(workflow: Any, out: Collected) -> None:
    from engine.registry import default_registry

    registry = default_registry()
    for step in workflow.steps.values():
        block = registry.get(step.do)
        if block is not None and block.category == DESKTOP_CATEGORY:
            out.desktop.add(step.do)
