"""What changed between two versions of a workflow file.

``compare`` works on the parsed YAML (not the model), so it also tells what changed in a file that does not validate:
the steps added, removed and changed (with the keys that changed, ``with.url``, ``next``), the workflow's own keys
that changed (``triggers``, ``name``...) and the steps only moved on the canvas. ``text_diff`` is the unified text
diff and ``side_by_side`` the same lines paired for a two-column view.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

STEP_KEYS_FIRST = ("do", "with", "next", "on_error")
SUMMARY_NAMES = 3  # step ids a one-line summary names before "and N more"


@dataclass
class WorkflowDiff:
    """The structural difference between version ``a`` and version ``b`` of one workflow."""

    added: dict[str, str] = field(default_factory=dict)  # step id -> its block
    removed: dict[str, str] = field(default_factory=dict)
    changed: dict[str, list[str]] = field(default_factory=dict)  # step id -> the keys that differ
    workflow: list[str] = field(default_factory=list)  # top-level keys that differ (steps and layout aside)
    moved: list[str] = field(default_factory=list)  # steps whose canvas position alone changed
    unreadable: list[str] = field(default_factory=list)  # "a" and/or "b": that side is not a YAML mapping
    text_changed: bool = False

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed or self.workflow or self.moved or self.unreadable)

    def line(self) -> str:
        """What changed, in one line: ``added fetch (http.request); changed notify (with.message)``."""
        if self.unreadable:
            return "the file does not parse as YAML" if "b" in self.unreadable else "first version that parses"
        parts = []
        if self.added:
            parts.append("added " + _names([f"{sid} ({block})" if block else sid for sid, block in self.added.items()]))
        if self.removed:
            parts.append("removed " + _names(list(self.removed)))
        if len(self.changed) == 1:
            ((sid, keys),) = self.changed.items()
            parts.append(f"changed {sid} ({', '.join(keys)})")
        elif self.changed:
            parts.append("changed " + _names(list(self.changed)))
        if self.workflow:
            parts.append("changed " + ", ".join(self.workflow))
        if self.moved:
            parts.append(f"moved {_count(len(self.moved), 'step')} on the canvas")
        if parts:
            return "; ".join(parts)
        return "comments or formatting only" if self.text_changed else "no change"

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "workflow": self.workflow,
            "moved": self.moved,
            "unreadable": self.unreadable,
            "summary": self.line(),
        }


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _names(items: list[str]) -> str:
    if len(items) <= SUMMARY_NAMES:
        return ", ".join(items)
    return ", ".join(items[:SUMMARY_NAMES]) + f" and {len(items) - SUMMARY_NAMES} more"


def parse(text: str | None) -> dict[str, Any] | None:
    """The file's top-level mapping, or None when it is not one (bad YAML, a list, empty)."""
    if text is None:
        return None
    import yaml

    # plain data, no positions: the C loader when PyYAML has it (a 1,000-step file in a fraction of the time)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # a safe loader
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def compare(old_text: str | None, new_text: str | None) -> WorkflowDiff:
    """The difference from ``old_text`` to ``new_text`` (None: there was no earlier version)."""
    result = WorkflowDiff(text_changed=(old_text or "") != (new_text or ""))
    new = parse(new_text)
    if old_text is None:
        steps = _mapping(new, "steps") if new is not None else {}
        result.added = {str(sid): _block(step) for sid, step in steps.items()}
        result.unreadable = [] if new is not None else ["b"]
        return result
    old = parse(old_text)
    result.unreadable = [side for side, data in (("a", old), ("b", new)) if data is None]
    if old is None or new is None:
        return result
    old_steps, new_steps = _mapping(old, "steps"), _mapping(new, "steps")
    result.added = {str(s): _block(new_steps[s]) for s in new_steps if s not in old_steps}
    result.removed = {str(s): _block(old_steps[s]) for s in old_steps if s not in new_steps}
    for sid in new_steps:
        if sid in old_steps:
            keys = _changed_keys(old_steps[sid], new_steps[sid])
            if keys:
                result.changed[str(sid)] = keys
    result.workflow = [str(k) for k in _union(old, new) if k not in ("steps", "layout") and old.get(k) != new.get(k)]
    old_layout, new_layout = _mapping(old, "layout"), _mapping(new, "layout")
    for sid in new_steps:
        if sid in old_steps and sid not in result.changed and old_layout.get(sid) != new_layout.get(sid):
            result.moved.append(str(sid))
    others = [k for k in _union(old_layout, new_layout) if k not in old_steps and k not in new_steps]
    if any(old_layout.get(k) != new_layout.get(k) for k in others):
        result.workflow.append("layout")  # notes, groups: canvas things that are not steps
    return result


def _mapping(data: dict[str, Any] | None, key: str) -> dict[Any, Any]:
    value = data.get(key) if data is not None else None
    return value if isinstance(value, dict) else {}


def _block(step: Any) -> str:
    return str(step.get("do", "")) if isinstance(step, dict) else ""


def _union(old: dict[Any, Any], new: dict[Any, Any]) -> list[Any]:
    return list(dict.fromkeys([*old, *new]))


def _changed_keys(old: Any, new: Any) -> list[str]:
    """The keys of a step that differ; ``with`` is looked into (``with.url``)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [] if old == new else ["the whole step"]
    keys = sorted(_union(old, new), key=lambda k: (STEP_KEYS_FIRST.index(k) if k in STEP_KEYS_FIRST else 9, str(k)))
    out: list[str] = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key == "with" and isinstance(a, dict | None) and isinstance(b, dict | None):
            a, b = a or {}, b or {}
            out += [f"with.{p}" for p in _union(a, b) if a.get(p) != b.get(p)]
        else:
            out.append(str(key))
    return out


def text_diff(old_text: str, new_text: str, old_name: str = "a", new_name: str = "b", context: int = 3) -> str:
    """The unified diff of two versions' text ('' when they are the same)."""
    lines = difflib.unified_diff(
        old_text.splitlines(keepends=True), new_text.splitlines(keepends=True), old_name, new_name, n=context
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a side-by-side diff: ``kind`` is equal, changed, removed (left only) or added (right only)."""

    kind: str
    left_no: int | None
    left: str
    right_no: int | None
    right: str


def side_by_side(old_text: str, new_text: str) -> list[Row]:
    """Both versions' lines paired: equal lines side by side, replaced lines facing each other, gaps elsewhere."""
    a, b = old_text.splitlines(), new_text.splitlines()
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [Row("equal", i + 1, a[i], j + 1, b[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            left = (i + 1, a[i]) if i < i2 else (None, "")
            right = (j + 1, b[j]) if j < j2 else (None, "")
            kind = "changed" if left[0] and right[0] else ("removed" if left[0] else "added")
            rows.append(Row(kind, left[0], left[1], right[0], right[1]))
    return rows
