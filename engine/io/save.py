"""Writing workflows: readable, diff-friendly YAML in the order the person wrote it, saved atomically."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from engine.io.yamlload import parse_yaml, paused_gc
from engine.model.workflow import (
    FORMAT_VERSION,
    GROUP_KEYS,
    GROUP_PREFIX,
    NOTE_KEYS,
    NOTE_PREFIX,
    STEP_KEYS,
    TOP_KEYS,
    Step,
    Workflow,
)

FLOW_WIDTH = 88  # a mapping of plain values shorter than this is written on one line


class _Flow(dict):
    """A mapping written in flow style: {a: 1, b: 2}."""


class _FlowList(list):
    """A sequence written in flow style: [0, 140]."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if "{{" in value or "{%" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _flow_dict(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


def _block_dict(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)


def _flow_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _block_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=False)


def _float(dumper: yaml.SafeDumper, value: float) -> yaml.ScalarNode:
    if value.is_integer() and abs(value) < 1e15:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Flow, _flow_dict)
_Dumper.add_representer(dict, _block_dict)
_Dumper.add_representer(_FlowList, _flow_list)
_Dumper.add_representer(list, _block_list)
_Dumper.add_representer(float, _float)
# Subclasses from the loader (MarkedDict, MarkedList) must dump as plain mappings and lists.
_Dumper.add_multi_representer(dict, _block_dict)
_Dumper.add_multi_representer(list, _block_list)


def _scalar(value: Any) -> bool:
    return value is None or (isinstance(value, str | int | float | bool) and "\n" not in str(value))


def _styled(value: Any) -> Any:
    """Plain containers, with short all-scalar ones marked for one-line flow style."""
    if isinstance(value, dict):
        inner = {k: _styled(v) for k, v in value.items()}
        if value and all(_scalar(v) for v in value.values()) and _width(value) <= FLOW_WIDTH:
            return _Flow(inner)
        return inner
    if isinstance(value, list):
        inner = [_styled(v) for v in value]
        if all(_scalar(v) for v in value) and _width(value) <= FLOW_WIDTH:
            return _FlowList(inner)
        return inner
    return value


def _width(value: dict | list) -> int:
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    return sum(len(str(k or "")) + len(str(v)) + 6 for k, v in items)


def _ordered(keys: list[str], canonical: tuple[str, ...], present: dict[str, Any]) -> list[str]:
    """Keys in the order the person wrote them; new keys in canonical order after the last written one."""
    written = [k for k in keys if k in present]
    rest = [k for k in canonical if k in present and k not in written]
    rest += [k for k in present if k not in written and k not in rest]
    return written + rest


def _next_value(step: Step) -> Any:
    if set(step.next) == {"next"}:
        targets = step.next["next"]
        return targets[0] if len(targets) == 1 else _FlowList(targets)
    return {port: (t[0] if len(t) == 1 else _FlowList(t)) for port, t in step.next.items() if t}


def step_mapping(step: Step) -> dict[str, Any]:
    """A step as the mapping written under its id."""
    present: dict[str, Any] = {"do": step.do}
    if step.title:
        present["title"] = step.title
    if step.description:
        present["description"] = step.description
    if step.disabled:
        present["disabled"] = True
    if step.params:
        present["with"] = _styled(step.params)
    if any(step.next.values()):
        present["next"] = _next_value(step)
    if step.retry:
        present["retry"] = _styled(step.retry)
    if step.timeout is not None:
        present["timeout"] = step.timeout
    if step.on_error != "fail":
        present["on_error"] = step.on_error
    present.update({k: _styled(v) for k, v in step.extra.items()})
    return {k: present[k] for k in _ordered(step.key_order, STEP_KEYS, present)}


def layout_mapping(wf: Workflow) -> dict[str, Any]:
    """``layout:``: step positions, then ``note <name>`` and ``group <name>`` entries, in the order written."""
    present: dict[str, Any] = {sid: _FlowList(xy) for sid, xy in wf.layout.items()}
    for name, note in wf.notes.items():
        parts: dict[str, Any] = {"at": _FlowList(note.at), "size": _FlowList(note.size)}
        if note.colour != "yellow":
            parts["colour"] = note.colour
        parts["text"] = note.text
        present[NOTE_PREFIX + name] = _one_line({k: parts[k] for k in _ordered(note.key_order, NOTE_KEYS, parts)})
    for name, group in wf.groups.items():
        parts = {"colour": group.colour, "steps": _FlowList(group.steps)}
        present[GROUP_PREFIX + name] = _one_line({k: parts[k] for k in _ordered(group.key_order, GROUP_KEYS, parts)})
    return {k: present[k] for k in _ordered(wf.layout_order, (), present)}


def _one_line(parts: dict[str, Any]) -> dict[str, Any]:
    """A short note or group on one line; a long or multi-line one as a block, one key a line."""
    if all(not isinstance(v, str) or "\n" not in v for v in parts.values()) and _width(parts) <= FLOW_WIDTH:
        return _Flow(parts)
    return parts


def _sections(wf: Workflow) -> dict[str, Any]:
    present: dict[str, Any] = {"flowdeck": FORMAT_VERSION, "name": wf.name}
    if wf.description:
        present["description"] = wf.description
    if wf.triggers:
        present["triggers"] = [{t.kind: _styled(t.options)} for t in wf.triggers]
    if wf.policy:
        present["policy"] = _styled(wf.policy)
    if wf.vars:
        present["vars"] = {k: _styled(v) for k, v in wf.vars.items()}
    if wf.outputs:
        present["outputs"] = {k: _styled(v) for k, v in wf.outputs.items()}
    if wf.on_failure:
        present["on_failure"] = wf.on_failure
    present["steps"] = wf.steps
    if wf.layout or wf.notes or wf.groups:
        present["layout"] = layout_mapping(wf)
    present.update({k: _styled(v) for k, v in wf.extra.items()})
    order = _ordered(wf.key_order, TOP_KEYS, present)
    if order[0] != "flowdeck":  # the version always leads, so a reader knows the format at once
        order.remove("flowdeck")
        order.insert(0, "flowdeck")
    return {k: present[k] for k in order}


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)


def dumps(wf: Workflow) -> str:
    """The YAML text of a workflow: sections apart by a blank line, and steps too."""
    with paused_gc():
        return _dumps(wf)


def _dumps(wf: Workflow) -> str:
    sections = _sections(wf)
    parts = []
    for key, value in sections.items():
        if key == "steps":
            parts.append(_steps_text(value))
        else:
            parts.append(_dump({key: value}))
    header = "".join(f"{line}\n" for line in wf.header.splitlines()) if wf.header else ""
    compact = {"flowdeck", "name", "description"}
    keys = list(sections)
    out = [header]
    for i, part in enumerate(parts):
        if i and not (keys[i] in compact and keys[i - 1] in compact):
            out.append("\n")
        out.append(part)
    text = "".join(out)
    return _with_comments(text, wf.comments) if wf.comments else text


def _with_comments(text: str, comments: dict) -> str:
    """Put the person's comments back beside their keys (found where this text has them)."""
    from engine.io.comments import apply
    from engine.io.parse import parse_document

    data, _problems = parse_yaml(text)
    if not isinstance(data, dict):
        return text
    return apply(text, comments, parse_document(data)[0].positions)


def _steps_text(steps: dict[str, Step]) -> str:
    if not steps:
        return "steps: {}\n"
    text = _dump({"steps": {sid: step_mapping(s) for sid, s in steps.items()}})
    # One dump for all steps (fast), then a blank line before every step after the first.
    lines = text.splitlines(keepends=True)
    out = [lines[0]]
    for line in lines[1:]:
        if len(out) > 1 and line.startswith("  ") and line[2:3] not in (" ", ""):
            out.append("\n")
        out.append(line)
    return "".join(out)


class ReadOnlyFile(PermissionError):
    """A save refused because the file is read-only: its message is the one line a person sees."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EACCES, "it is read-only", str(path))

    def __str__(self) -> str:
        return f"{self.filename} is read-only; not saved"


def atomic_write(path: str | os.PathLike[str], data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one, never half.

    An existing file keeps its mode; a new one gets ``mode``, or what ``open()`` would give it (0666 less the
    umask). A symlink is written through: its target is replaced and the link stays. A read-only file raises
    ReadOnlyFile (a rename needs only the folder's permission, so without this check it would be replaced).
    """
    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        old_mode: int | None = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        old_mode = None
    if old_mode is not None and _read_only(target, old_mode):
        raise ReadOnlyFile(Path(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, old_mode if old_mode is not None else mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(target.parent)


def _read_only(path: Path, mode: int) -> bool:
    """No write bit at all (root may write anyway, so the bits are checked too), or not writable by this user."""
    return not mode & 0o222 or not os.access(path, os.W_OK)


def _umask() -> int:
    """The process's umask, read without changing it where the system tells it (os.umask sets it to read it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o077)  # put back at once; a file another thread creates in between is only stricter
    os.umask(current)
    return current


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_workflow(wf: Workflow, path: str | os.PathLike[str] | None = None) -> Path:
    """Save ``wf`` atomically to ``path`` (default: where it was loaded from)."""
    target = Path(path) if path is not None else wf.source
    if target is None:
        raise ValueError("this workflow has no file yet; give a path to save it to")
    atomic_write(target, dumps(wf).encode("utf-8"))
    wf.source = target
    return target
