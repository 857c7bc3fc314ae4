"""The workflow document: what the person wrote, in the order they wrote it.

The model keeps values as written (``timeout: 30s`` stays the text ``30s``) so that saving a loaded
file changes nothing the person did not change. The runtime compiles a frozen plan from it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
DEFAULT_PORT = "next"
ERROR_PORT = "error"
# on_error values that are actions, not step ids; steps may not use these ids.
ON_ERROR_ACTIONS = ("fail", "continue")
TOP_KEYS = (
    "flowdeck",
    "name",
    "description",
    "triggers",
    "policy",
    "vars",
    "outputs",
    "on_failure",
    "steps",
    "layout",
)
STEP_KEYS = ("do", "title", "description", "disabled", "with", "next", "retry", "timeout", "on_error")
RETRY_KEYS = ("attempts", "backoff", "factor", "max_delay", "jitter", "on")
POLICY_KEYS = ("overlap", "misfire_grace", "catch_up", "max_steps", "history", "timeout", "runs_on", "retry_lost")
OVERLAP_CHOICES = ("skip", "queue", "parallel")
# the desktop kinds are declared in engine.desktop.triggers (tests/engine/desktop/test_trigger_kinds.py compares)
TRIGGER_KINDS = ("schedule", "watch", "webhook", "startup", "hotkey", "window", "clipboard", "session", "device")
MAX_STEPS = 10_000  # steps in one workflow: ten times the largest real one; bigger work is split with workflow.run
MAX_STEP_ID = 128  # characters in a step id
# layout: entries whose key has this word and a space are canvas notes and groups, never step ids (no spaces there)
NOTE_PREFIX = "note "
GROUP_PREFIX = "group "
NOTE_KEYS = ("at", "size", "colour", "text")
GROUP_KEYS = ("colour", "steps")
COLOURS = ("yellow", "blue", "green", "red", "purple", "grey")  # named colours of notes and groups


def too_many_steps(count: int) -> str:
    """The message for a workflow with more than MAX_STEPS steps."""
    return (
        f"{count:,} steps; a workflow holds at most {MAX_STEPS:,} "
        "(split the work into workflows that call each other with workflow.run)"
    )


Position = tuple[int, int]  # 1-based line and column


def is_extension_key(key: object) -> bool:
    """Keys starting with ``x-`` belong to the person or another tool: kept on save, never interpreted."""
    return isinstance(key, str) and key.startswith("x-")


@dataclass
class Trigger:
    """One entry of ``triggers:``: its kind and options as written."""

    kind: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Step:
    """One step: a block to run, its parameters, and where to go next."""

    id: str
    do: str
    params: dict[str, Any] = field(default_factory=dict)
    # Output port -> target step ids. The plain ``next: b`` is {"next": ["b"]}.
    next: dict[str, list[str]] = field(default_factory=dict)
    title: str = ""
    description: str = ""
    retry: dict[str, Any] | None = None
    timeout: str | float | None = None
    on_error: str = "fail"
    disabled: bool = False  # skipped at run time; its ``next`` is still followed
    extra: dict[str, Any] = field(default_factory=dict)
    key_order: list[str] = field(default_factory=list)

    def targets(self) -> list[tuple[str, str]]:
        """Every (port, target) wire leaving this step, the error route included."""
        wires = [(port, t) for port, targets in self.next.items() for t in targets]
        if self.on_error not in ON_ERROR_ACTIONS:
            wires.append((ERROR_PORT, self.on_error))
        return wires

    def connect(self, port: str, target: str) -> None:
        """Add a wire from ``port`` to ``target`` (the error port sets ``on_error``)."""
        if port == ERROR_PORT:
            self.on_error = target
            return
        targets = self.next.setdefault(port, [])
        if target not in targets:
            targets.append(target)

    def disconnect(self, port: str, target: str) -> None:
        """Remove one wire; a port left with no targets disappears."""
        if port == ERROR_PORT:
            if self.on_error == target:
                self.on_error = "fail"
            return
        targets = self.next.get(port, [])
        if target in targets:
            targets.remove(target)
        if not targets:
            self.next.pop(port, None)


@dataclass
class Note:
    """A sticky note on the canvas (``layout: {note <name>: ...}``): Markdown text in a box; it never runs."""

    at: list[float] = field(default_factory=lambda: [0, 0])
    size: list[float] = field(default_factory=lambda: [220, 120])
    text: str = ""
    colour: str = "yellow"
    key_order: list[str] = field(default_factory=list, compare=False)


@dataclass
class Group:
    """A named, coloured frame around some steps (``layout: {group <name>: ...}``); it follows its steps."""

    steps: list[str] = field(default_factory=list)
    colour: str = "blue"
    key_order: list[str] = field(default_factory=list, compare=False)


@dataclass
class Workflow:
    """A whole workflow file."""

    name: str = "Untitled workflow"
    description: str = ""
    version: int = FORMAT_VERSION
    triggers: list[Trigger] = field(default_factory=list)
    policy: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    on_failure: str | None = None
    steps: dict[str, Step] = field(default_factory=dict)
    layout: dict[str, list[float]] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)  # by name (the key without "note ")
    groups: dict[str, Group] = field(default_factory=dict)  # by name (the key without "group ")
    layout_order: list[str] = field(default_factory=list)  # the keys of ``layout:`` as written, for saving
    extra: dict[str, Any] = field(default_factory=dict)
    key_order: list[str] = field(default_factory=list)
    header: str = ""  # comment lines at the top of the file, kept on save
    # The other comments, by the path of the key they stand with (engine.io.comments); kept on save.
    comments: dict[tuple, Any] = field(default_factory=dict, compare=False, repr=False)
    source: Path | None = field(default=None, compare=False)
    # Where each part was written: ("steps", "save", "with", "path") -> (line, col). Empty for new workflows.
    positions: dict[tuple, Position] = field(default_factory=dict, compare=False, repr=False)

    @property
    def start(self) -> str | None:
        """The first step in the file is where a run starts."""
        return next(iter(self.steps), None)

    def position(self, *path: Any) -> Position | None:
        """The position of ``path``, or of its nearest written ancestor."""
        while path:
            pos = self.positions.get(path)
            if pos is not None:
                return pos
            path = path[:-1]
        return self.positions.get(())

    def incoming(self) -> dict[str, list[tuple[str, str]]]:
        """Step id -> the (source step, port) wires that arrive at it."""
        result: dict[str, list[tuple[str, str]]] = {sid: [] for sid in self.steps}
        for sid, step in self.steps.items():
            for port, target in step.targets():
                if target in result:
                    result[target].append((sid, port))
        return result

    def unique_id(self, base: str) -> str:
        """A step id derived from ``base`` that no step has yet."""
        stem = "".join(c if c.isalnum() or c == "_" else "_" for c in base).strip("_").lower() or "step"
        if stem[0].isdigit():
            stem = "s_" + stem
        if stem not in self.steps and stem not in ON_ERROR_ACTIONS:
            return stem
        # Duplicating ``fetch_2`` gives ``fetch_3``, not ``fetch_2_2``.
        root, _, number = stem.rpartition("_")
        if not (root and number.isdigit()):
            root, number = stem, "1"
        n = int(number) + 1
        while f"{root}_{n}" in self.steps or f"{root}_{n}" in ON_ERROR_ACTIONS:
            n += 1
        return f"{root}_{n}"

    def snapshot(self) -> Workflow:
        """A deep copy that later edits of this object cannot reach (what a run executes)."""
        return copy.deepcopy(self)
