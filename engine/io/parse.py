"""From the raw YAML mapping to a :class:`Workflow`, reporting every structural problem found."""

from __future__ import annotations

import re
from typing import Any

from engine.io.hints import did_you_mean
from engine.io.migrate import migrate
from engine.io.problems import Problem
from engine.model.workflow import (
    COLOURS,
    FORMAT_VERSION,
    GROUP_KEYS,
    GROUP_PREFIX,
    MAX_STEP_ID,
    NOTE_KEYS,
    NOTE_PREFIX,
    POLICY_KEYS,
    RETRY_KEYS,
    STEP_KEYS,
    TOP_KEYS,
    TRIGGER_KINDS,
    Group,
    Note,
    Step,
    Trigger,
    Workflow,
    is_extension_key,
)

MAX_COORDINATE = 10_000_000  # a canvas position beyond this (or inf, nan) is a mistake, not a place
STEP_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def dotted(path: tuple) -> str:
    """("steps", "save", "with", "path") -> "steps.save.with.path"; list indexes as [n]."""
    out = ""
    for part in path:
        if isinstance(part, str) and len(part) > 60:  # a 1,000-character key would hide the message
            part = part[:59] + "…"
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Parser:
    def __init__(self, wf: Workflow) -> None:
        self.wf = wf
        self.problems: list[Problem] = []

    def note(self, node: Any, key: Any, path: tuple) -> None:
        """Remember where ``key`` of ``node`` was written, as ``path``."""
        marks = getattr(node, "key_marks", None)
        if marks and key in marks:
            self.wf.positions[path] = marks[key]

    def problem(self, path: tuple, message: str, severity: str = "error") -> None:
        line, col = self.wf.position(*path) or (None, None)
        text = f"{dotted(path)}: {message}" if path else message
        self.problems.append(Problem(text, line, col, severity=severity, path=path))

    def mapping(self, value: Any, path: tuple, what: str = "a mapping (key: value)") -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"expected {what}, got {type(value).__name__ if value is not None else 'nothing'}")
            return {}
        for key in value:
            self.note(value, key, (*path, key))
        return value

    def text(self, value: Any, path: tuple) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.problem(path, f"expected text, got {value!r}")
        return ""


def parse_document(doc: Any) -> tuple[Workflow, list[Problem]]:
    """Build a Workflow from a loaded YAML document (migrating older formats first)."""
    wf = Workflow(name="")
    p = _Parser(wf)
    if not isinstance(doc, dict):
        got = "a list" if isinstance(doc, list) else f"the value {str(doc)[:40]!r}"
        wf.positions[()] = getattr(doc, "mark", (1, 1))
        p.problem((), f"a workflow file must be a mapping with 'name' and 'steps', got {got}")
        return wf, p.problems
    wf.positions[()] = getattr(doc, "mark", (1, 1))
    for key in doc:
        p.note(doc, key, (key,))
    doc = _version(p, doc)
    if doc is None:
        return wf, p.problems
    wf.key_order = [k for k in doc if isinstance(k, str)]
    for key, value in doc.items():
        _top_level(p, key, value)
    if "name" not in doc:
        p.problem((), "name: required (the workflow's name, shown in the app and the tray)")
    if "steps" not in doc:
        p.problem((), "steps: required (a workflow needs at least one step)")
    return wf, p.problems


def _policy(p: _Parser, value: Any) -> None:
    p.wf.policy = dict(p.mapping(value, ("policy",)))
    for k in p.wf.policy:
        if k not in POLICY_KEYS:
            p.problem(("policy", k), f"unknown setting{did_you_mean(k, POLICY_KEYS)}")
    history = p.wf.policy.get("history")
    if isinstance(history, dict):  # its keys get positions of their own, for the validator's problems
        for k in history:
            p.note(history, k, ("policy", "history", k))


def _version(p: _Parser, doc: dict) -> dict | None:
    version = doc.get("flowdeck")
    if version is None:
        p.problem((), f"flowdeck: format version missing; reading it as version {FORMAT_VERSION}", "warning")
        return doc
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        p.problem(("flowdeck",), f"expected the format version as a whole number, got {version!r}")
        return None
    if version > FORMAT_VERSION:
        p.problem(
            ("flowdeck",),
            f"written by a newer Flowdeck (format {version}); this version reads formats up to {FORMAT_VERSION}",
        )
        return None
    if version < FORMAT_VERSION:
        doc = migrate(doc, version, p.problems)
    p.wf.version = FORMAT_VERSION
    return doc


def _top_level(p: _Parser, key: Any, value: Any) -> None:
    wf = p.wf
    if key == "flowdeck":
        return
    if is_extension_key(key):
        wf.extra[key] = value
    elif key == "name":
        wf.name = p.text(value, ("name",))
        if not wf.name.strip():
            p.problem(("name",), "must not be empty")
    elif key == "description":
        wf.description = p.text(value, ("description",)) if value is not None else ""
    elif key == "triggers":
        _triggers(p, value)
    elif key == "policy":
        _policy(p, value)
    elif key == "vars":
        wf.vars = dict(p.mapping(value, ("vars",)))
    elif key == "outputs":
        wf.outputs = dict(p.mapping(value, ("outputs",)))
    elif key == "on_failure":
        wf.on_failure = p.text(value, ("on_failure",)) or None
    elif key == "steps":
        _steps(p, value)
    elif key == "layout":
        _layout(p, value)
    else:
        p.problem((key,), f"unknown key{did_you_mean(key, TOP_KEYS)} (top-level keys: {', '.join(TOP_KEYS)})")


def _triggers(p: _Parser, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        p.problem(("triggers",), "expected a list of triggers, e.g. '- schedule: {cron: \"0 8 * * *\"}'")
        return
    for i, item in enumerate(value):
        path = ("triggers", i)
        marks = getattr(value, "item_marks", None)
        if marks:
            p.wf.positions[path] = marks[i]
        if isinstance(item, str) and item in TRIGGER_KINDS:
            p.wf.triggers.append(Trigger(item, {}))
            continue
        if not isinstance(item, dict) or len(item) != 1:
            p.problem(path, f"each trigger is one of {', '.join(TRIGGER_KINDS)} with its options")
            continue
        kind, options = next(iter(item.items()))
        if kind not in TRIGGER_KINDS:
            p.problem(path, f"unknown trigger '{kind}'{did_you_mean(kind, TRIGGER_KINDS)}")
            continue
        opts = p.mapping(options, (*path, kind))
        for k in opts:
            p.note(opts, k, (*path, kind, k))
        p.wf.triggers.append(Trigger(kind, dict(opts)))


def _steps(p: _Parser, value: Any) -> None:
    if value is None or value == {}:
        p.problem(("steps",), "a workflow needs at least one step")
        return
    if not isinstance(value, dict):
        p.problem(("steps",), "expected steps keyed by their id, e.g. 'fetch: {do: http.request, ...}'")
        return
    for sid, raw in value.items():
        p.note(value, sid, ("steps", sid))
        sid = str(sid)
        if len(sid) > MAX_STEP_ID:
            p.problem(("steps", sid), f"a step id has at most {MAX_STEP_ID} characters; this one has {len(sid):,}")
        elif not STEP_ID.match(sid):
            p.problem(("steps", sid), "a step id uses letters, digits and _ only, and starts with a letter")
        if sid in ("fail", "continue"):
            p.problem(("steps", sid), f"'{sid}' is reserved (on_error: {sid}); choose another step id")
        step = _step(p, sid, raw)
        if step is not None:
            p.wf.steps[sid] = step


def _step(p: _Parser, sid: str, raw: Any) -> Step | None:
    path = ("steps", sid)
    if not isinstance(raw, dict):
        p.problem(path, "expected a step with at least 'do: <block>'")
        return None
    for key in raw:
        p.note(raw, key, (*path, key))
    step = Step(id=sid, do="", key_order=[k for k in raw if isinstance(k, str)])
    for key, value in raw.items():
        where = (*path, key)
        if is_extension_key(key):
            step.extra[key] = value
        elif key == "do":
            step.do = p.text(value, where)
        elif key == "with":
            step.params = dict(p.mapping(value, where))
        elif key == "next":
            step.next = _next(p, value, where)
        elif key == "retry":
            step.retry = _retry(p, value, where)
        elif key == "timeout":
            step.timeout = value
        elif key == "on_error":
            step.on_error = p.text(value, where) or "fail"
        elif key in ("title", "description"):
            setattr(step, key, p.text(value, where) if value is not None else "")
        elif key == "disabled":
            if not isinstance(value, bool):
                p.problem(where, f"expected true or false, got {_short(value)}")
            step.disabled = value is True
        else:
            p.problem(where, f"unknown key{did_you_mean(key, STEP_KEYS)} (a step has: {', '.join(STEP_KEYS)})")
    if "do" not in raw:
        p.problem((*path, "do"), "required (which block this step runs, e.g. 'do: log')")
    return step


def _next(p: _Parser, value: Any, path: tuple) -> dict[str, list[str]]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"next": [value]}
    if isinstance(value, list):
        return {"next": _targets(p, value, path)}
    if isinstance(value, dict):
        ports: dict[str, list[str]] = {}
        written: dict[str, Any] = {}
        for port, targets in value.items():
            p.note(value, port, (*path, port))
            if str(port) in written:
                # `1:` and `'1':` are different YAML keys but one port: a switch compares its value as text
                p.problem(
                    (*path, port),
                    f"port {port!r} is the same port as {written[str(port)]!r} above (ports are text); write it once",
                )
                continue
            written[str(port)] = port
            if isinstance(targets, str):
                ports[str(port)] = [targets]
            elif isinstance(targets, list):
                ports[str(port)] = _targets(p, targets, (*path, port))
            elif targets is not None:
                p.problem((*path, port), f"expected a step id or a list of step ids, got {targets!r}")
        return ports
    p.problem(path, f"expected a step id, a list of step ids, or ports mapping to step ids; got {value!r}")
    return {}


def _targets(p: _Parser, items: list, path: tuple) -> list[str]:
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        else:
            p.problem(path, f"expected a step id, got {item!r}")
    return out


def _retry(p: _Parser, value: Any, path: tuple) -> dict[str, Any] | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return {"attempts": value}
    retry = p.mapping(value, path, "a mapping like {attempts: 3, backoff: 5s}")
    for key in retry:
        if key not in RETRY_KEYS:
            p.problem((*path, key), f"unknown retry setting{did_you_mean(key, RETRY_KEYS)}")
    return dict(retry) if retry else None


def _layout(p: _Parser, value: Any) -> None:
    layout = p.mapping(value, ("layout",))
    p.wf.layout_order = [str(k) for k in layout]
    for sid, xy in layout.items():
        key = str(sid)
        if key in (NOTE_PREFIX.strip(), GROUP_PREFIX.strip()) and isinstance(xy, dict):  # `note: {…}`: no name
            _name(p, key + " ", key + " ")
            continue
        if key.startswith(NOTE_PREFIX):
            _note(p, key, xy)
            continue
        if key.startswith(GROUP_PREFIX):
            _group(p, key, xy)
            continue
        if not _point(xy):
            wanted = f"a position [x, y] (each within ±{MAX_COORDINATE:,})"
            p.problem(("layout", sid), f"expected {wanted}, got {_short(xy)}")
            continue
        p.wf.layout[key] = [xy[0], xy[1]]


def _point(xy: Any, positive: bool = False) -> bool:
    """``[x, y]``: two numbers within MAX_COORDINATE (and above zero for a size)."""
    return (
        isinstance(xy, list)
        and len(xy) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) and abs(v) <= MAX_COORDINATE for v in xy)
        and (not positive or all(v > 0 for v in xy))
    )


def _name(p: _Parser, key: str, prefix: str) -> str | None:
    name = key[len(prefix) :].strip()
    if not name:
        p.problem(
            ("layout", key.strip()), f"give the {prefix.strip()} a name after '{prefix.strip()}', e.g. '{prefix}1'"
        )
        return None
    return name


def _colour(p: _Parser, path: tuple, value: Any, default: str) -> str:
    if value is None:
        return default
    if isinstance(value, str) and (value in COLOURS or re.fullmatch(r"#[0-9a-fA-F]{6}", value)):
        return value
    p.problem(path, f"expected a colour ({', '.join(COLOURS)} or #rrggbb), got {_short(value)}")
    return default


def _parts(p: _Parser, key: str, raw: Any, keys: tuple[str, ...], what: str) -> dict | None:
    path = ("layout", key)
    if not isinstance(raw, dict):
        p.problem(path, f"expected a {what} with {', '.join(keys)}, got {_short(raw)}")
        return None
    for k in raw:
        p.note(raw, k, (*path, k))
        if k not in keys:
            p.problem((*path, k), f"unknown key{did_you_mean(str(k), keys)} (a {what} has: {', '.join(keys)})")
    return raw


def _note(p: _Parser, key: str, raw: Any) -> None:
    name = _name(p, key, NOTE_PREFIX)
    raw = _parts(p, key, raw, NOTE_KEYS, "note") if name else None
    if raw is None or name is None:
        return
    note = Note(key_order=[str(k) for k in raw])
    path = ("layout", key)
    for part, positive in (("at", False), ("size", True)):
        if part in raw:
            if _point(raw[part], positive):
                setattr(note, part, list(raw[part]))
            else:
                p.problem(
                    (*path, part), f"expected [{'width, height' if positive else 'x, y'}], got {_short(raw[part])}"
                )
    note.text = p.text(raw["text"], (*path, "text")) if raw.get("text") is not None else ""
    note.colour = _colour(p, (*path, "colour"), raw.get("colour"), "yellow")
    p.wf.notes[name] = note


def _group(p: _Parser, key: str, raw: Any) -> None:
    name = _name(p, key, GROUP_PREFIX)
    raw = _parts(p, key, raw, GROUP_KEYS, "group") if name else None
    if raw is None or name is None:
        return
    path = ("layout", key)
    steps = raw.get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        p.problem((*path, "steps"), f"expected the list of step ids in the group, got {_short(steps)}")
        steps = []
    colour = _colour(p, (*path, "colour"), raw.get("colour"), "blue")
    p.wf.groups[name] = Group(steps=list(dict.fromkeys(steps)), colour=colour, key_order=[str(k) for k in raw])
