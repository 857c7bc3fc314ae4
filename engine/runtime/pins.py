"""Pinned step outputs, kept beside a workflow file and never in it.

``invoices.yaml``'s pins live in ``.flowdeck/pins/invoices.yaml.json`` in the same folder: the workflow file stays
as the person wrote it (small diffs), and the pins travel with the folder. Pins are used only by runs a person
starts for trying (the editor, ``flowdeck run --pins``); scheduled, watch, webhook and daemon runs never read them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.io.save import atomic_write

FOLDER = Path(".flowdeck") / "pins"


class PinsError(Exception):
    """The pins file cannot be read or written (one line naming it and why)."""


def parse_value(text: str) -> Any:
    """A value to pin, typed as YAML or JSON (the editor's Pin dialog, ``flowdeck pin --value``); ValueError with
    one line saying where it is wrong."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValueError(f"not YAML or JSON: {where}{getattr(exc, 'problem', None) or exc}") from None


def pins_file(workflow: Path) -> Path:
    return workflow.parent / FOLDER / f"{workflow.name}.json"


def load_pins(workflow: Path) -> dict[str, dict[str, Any]]:
    """The pins of ``workflow``: ``{step: {"output": ..., "port": "next", "from_run": id or None}}``."""
    path = pins_file(workflow)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise PinsError(f"{path}: cannot read the pinned outputs: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) and "output" in v for v in data.values()):
        raise PinsError(f"{path}: not a pins file (expected {{step: {{output: ...}}}})")
    return data


def save_pins(workflow: Path, pins: dict[str, dict[str, Any]]) -> Path:
    """Write all pins of ``workflow`` at once (atomically); no pins left removes the file."""
    path = pins_file(workflow)
    try:
        if not pins:
            path.unlink(missing_ok=True)
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(pins, indent=2, ensure_ascii=False, default=str, sort_keys=True) + "\n"
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        raise PinsError(f"{path}: cannot write the pinned outputs: {exc.strerror or exc}") from None
    return path


def pin(workflow: Path, step: str, output: Any, port: str = "next", from_run: str | None = None) -> Path:
    pins = load_pins(workflow)
    pins[step] = {"output": output, "port": port, "from_run": from_run}
    return save_pins(workflow, pins)


def follow_renames(pins: dict[str, dict[str, Any]], renames: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``pins`` (kept under the ids of the saved file) under the ids the steps have now; ``renames`` maps a
    step's id now to its id in the file. A pin of a renamed step's old id is not another step's, even if a new step
    took that id since."""
    kept = {step: p for step, p in pins.items() if step not in renames.values()}
    return kept | {now: pins[was] for now, was in renames.items() if was in pins}


def unpin(workflow: Path, step: str) -> bool:
    """Remove ``step``'s pin; False when it had none."""
    pins = load_pins(workflow)
    if pins.pop(step, None) is None:
        return False
    save_pins(workflow, pins)
    return True
