"""New workflows from templates: the examples shipped in resources/examples, copied under a name not yet taken."""

from __future__ import annotations

import re
from pathlib import Path


def templates_folder() -> Path:
    import resources

    return Path(resources.__file__).parent / "examples"


def list_templates(folder: Path | None = None) -> list[tuple[str, Path]]:
    """(title, file) of every template: the title is the workflow's ``name:`` line, else the file's stem."""
    folder = folder or templates_folder()
    found = []
    for path in sorted(folder.glob("*.yaml")):
        found.append((_title(path), path))
    return found


def _title(path: Path) -> str:
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"name:\s*(.+?)\s*$", line)
            if match:
                return match.group(1).strip("'\"")
    except (OSError, UnicodeDecodeError):
        pass
    return path.stem.replace("_", " ").replace("-", " ").capitalize()


def unique_path(folder: Path, stem: str, suffix: str = ".yaml") -> Path:
    """``folder/stem.yaml``, or ``stem-2.yaml``, ``stem-3.yaml``... whichever is free first."""
    candidate = folder / f"{stem}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


def new_from_template(template: Path, workspace: Path) -> Path:
    """Copy ``template`` into ``workspace`` byte for byte (comments and all) under a free name; return it."""
    from engine.io import atomic_write  # loaded when used: start-up does not need the YAML machinery

    workspace.mkdir(parents=True, exist_ok=True)
    target = unique_path(workspace, template.stem)
    atomic_write(target, template.read_bytes())
    return target
