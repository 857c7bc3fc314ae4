"""New workflows from templates: the examples shipped in resources/examples, copied under a name not yet taken."""

from __future__ import annotations

import re
from collections.abc import Callable
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


def preview(path: Path) -> str:
    """What a template does, to read before picking it (rich text): its description, what starts it, its steps."""
    import html

    from engine.io import read_file  # loaded when the menu opens, not at start-up
    from engine.scheduling.describe import describe_trigger

    wf, _ = read_file(path, check=False)
    if wf is None:
        return html.escape(path.name)
    starts = "; ".join(describe_trigger(t) for t in wf.triggers) or "only when you run it"
    steps = "".join(
        f"<li>{html.escape(s.title or sid)} <span style='color:gray'>({html.escape(s.do)})</span></li>"
        for sid, s in list(wf.steps.items())[:8]
    )
    more = f"<li>… {len(wf.steps) - 8} more</li>" if len(wf.steps) > 8 else ""
    return (
        f"<b>{html.escape(wf.name)}</b><br>{html.escape(wf.description or '')}"
        f"<br><br><b>Starts:</b> {html.escape(starts)}<br><b>Steps:</b><ol style='margin:0'>{steps}{more}</ol>"
        "<i>It starts switched off: its triggers fire once you save it in the editor.</i>"
    )


def unique_path(folder: Path, stem: str, suffix: str = ".yaml") -> Path:
    """``folder/stem.yaml``, or ``stem-2.yaml``, ``stem-3.yaml``... whichever is free first."""
    candidate = folder / f"{stem}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


def new_from_template(template: Path, workspace: Path, before: Callable[[Path], None] | None = None) -> Path:
    """Copy ``template`` into ``workspace`` byte for byte (comments and all) under a free name; return it.
    ``before(target)`` runs before the file appears (the app switches it off there, so its placeholder schedule
    never fires before the person has looked at it and saved it)."""
    from engine.io import atomic_write  # loaded when used: start-up does not need the YAML machinery

    workspace.mkdir(parents=True, exist_ok=True)
    target = unique_path(workspace, template.stem)
    if before is not None:
        before(target)
    atomic_write(target, template.read_bytes())
    return target
