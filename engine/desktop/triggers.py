"""The desktop trigger kinds, each declared once: its options, its check, its words, and a new one's options.

The validator (engine.io.triggers), the scheduler's words (engine.scheduling.describe), the editor's trigger
cards and "Add trigger" menu (gui.inspector) and docs/desktop.md all read these declarations. No desktop library is
imported here; arming is engine.scheduling.desktop_arm.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.desktop.keys import combo_problem
from engine.model.durations import parse_duration

Found = list[tuple[str | None, str, str]]  # as engine.io.triggers: (option or None, message, severity)

WINDOW_EVENTS = ("opened", "focused", "closed")
SESSION_EVENTS = ("login", "unlock", "lock", "sleep", "wake", "idle")
DEVICE_KINDS = ("usb", "display", "network", "power")
DEVICE_EVENTS = ("added", "removed", "changed")


@dataclass(frozen=True)
class Option:
    """One option of a trigger kind, as written under the trigger and edited in its card."""

    name: str
    caption: str
    help: str
    placeholder: str = ""
    choices: tuple[str, ...] = ()  # for a list of events (``on``) or a single choice (``kind``)
    many: bool = False  # a list of choices (check boxes), else one text or one choice
    default: Any = None


@dataclass(frozen=True)
class TriggerKind:
    kind: str
    title: str
    help: str
    options: tuple[Option, ...]
    new: dict[str, Any]  # what "Add trigger" writes
    check: Callable[[dict[str, Any]], Found]
    describe: Callable[[dict[str, Any]], str]
    needs_display: bool = True  # an X11 display (hotkey, window, clipboard); else the session's D-Bus
    fields: tuple[str, ...] = ()  # what ``trigger`` holds in a run


def _unknown(options: dict[str, Any], kind: TriggerKind) -> Found:
    allowed = [o.name for o in kind.options]
    return [(k, f"unknown option (expected: {', '.join(allowed)})", "error") for k in options if k not in allowed]


def events(options: dict[str, Any], key: str, default: tuple[str, ...]) -> list[Any]:
    value = options.get(key, list(default))
    return [value] if isinstance(value, str) else value


def _events(options: dict[str, Any], key: str, choices: tuple[str, ...], default: tuple[str, ...]) -> Found:
    chosen = events(options, key, default)
    if not isinstance(chosen, list) or not chosen or any(e not in choices for e in chosen):
        return [(key, f"expected one or a list of {', '.join(choices)}, got {chosen!r}", "error")]
    return []


def _text(options: dict[str, Any], key: str) -> Found:
    value = options.get(key)
    if value is not None and not isinstance(value, str):
        return [(key, f"expected text, got {value!r}", "error")]
    return []


def _check_hotkey(options: dict[str, Any]) -> Found:
    found = _unknown(options, KINDS["hotkey"])
    if "keys" not in options:
        return [*found, (None, "keys: required (a combination like 'ctrl+alt+r')", "error")]
    problem = combo_problem(options["keys"])
    return found + ([("keys", problem, "error")] if problem else [])


def _check_window(options: dict[str, Any]) -> Found:
    found = _unknown(options, KINDS["window"]) + _text(options, "app") + _text(options, "title")
    if not options.get("app") and not options.get("title"):
        found.append((None, "name the window: give app or title (or both)", "error"))
    return found + _events(options, "on", WINDOW_EVENTS, ("opened",))


def _check_clipboard(options: dict[str, Any]) -> Found:
    found = _unknown(options, KINDS["clipboard"]) + _text(options, "match")
    pattern = options.get("match")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as exc:
            found.append(("match", f"not a valid regular expression: {exc}", "error"))
    return found


def _check_session(options: dict[str, Any]) -> Found:
    found = _unknown(options, KINDS["session"]) + _events(options, "on", SESSION_EVENTS, SESSION_EVENTS)
    if "idle" in options:
        try:
            parse_duration(options["idle"], "idle time", positive=True)
        except ValueError as exc:
            found.append(("idle", str(exc), "error"))
    return found


def _check_device(options: dict[str, Any]) -> Found:
    found = _unknown(options, KINDS["device"])
    if options.get("kind") not in DEVICE_KINDS:
        key = "kind" if "kind" in options else None
        found.append((key, f"kind: expected one of {', '.join(DEVICE_KINDS)}, got {options.get('kind')!r}", "error"))
    return found + _events(options, "on", DEVICE_EVENTS, DEVICE_EVENTS)


def _words(options: dict[str, Any], key: str, default: tuple[str, ...]) -> str:
    return " or ".join(map(str, events(options, key, default)))


def _describe_window(o: dict[str, Any]) -> str:
    what = " ".join(p for p in (o.get("app") and f"{o['app']}", o.get("title") and f"'{o['title']}'") if p)
    return f"when a {what or 'window'} window is {_words(o, 'on', ('opened',))}"


KINDS: dict[str, TriggerKind] = {}


def _declare(kind: TriggerKind) -> None:
    KINDS[kind.kind] = kind


_declare(TriggerKind(
    "hotkey", "Hotkey", "A global keyboard shortcut, pressed in any program.",
    (Option("keys", "Keys", "the combination, e.g. ctrl+alt+r", "ctrl+alt+r"),),
    {"keys": "ctrl+alt+r"}, _check_hotkey, lambda o: f"when {o.get('keys')} is pressed", fields=("keys",),
))  # fmt: skip
_declare(TriggerKind(
    "window", "Window", "An application window opens, gets the focus or closes.",
    (Option("app", "App (e.g. firefox)", "the program's name (X11 WM_CLASS); * works", "firefox"),
     Option("title", "Title pattern", "a pattern like *Invoice* (case-insensitive)", "*Invoice*"),
     Option("on", "When", "what to fire on (default: opened)", choices=WINDOW_EVENTS, many=True, default=["opened"])),
    {"title": "*Invoice*"}, _check_window, _describe_window, fields=("event", "app", "title", "pid", "id"),
))  # fmt: skip
_declare(TriggerKind(
    "clipboard", "Clipboard", "The clipboard gets new text (optionally only text matching a pattern).",
    (Option("match", "Only text matching (regex, optional)", "a regular expression the text must contain", "^https?://"),),
    {"match": "^https?://"}, _check_clipboard,
    lambda o: "when text is copied" + (f" that matches {o['match']}" if o.get("match") else ""), fields=("text",),
))  # fmt: skip
_declare(TriggerKind(
    "session", "Session", "The desktop session: log in, unlock, lock, sleep, wake, or idle for a while.",
    (Option("on", "When", "default: all", choices=SESSION_EVENTS, many=True, default=list(SESSION_EVENTS)),
     Option("idle", "Idle for (with idle)", "how long idle counts as idle (default 10m)", "10m")),
    {"on": ["unlock"]}, _check_session, lambda o: f"on session {_words(o, 'on', SESSION_EVENTS)}",
    needs_display=False, fields=("event", "idle", "slept"),
))  # fmt: skip
_declare(TriggerKind(
    "device", "Device", "A USB device, a monitor, the network or the power supply changes.",
    (Option("kind", "Device", "which kind of device", choices=DEVICE_KINDS, default="usb"),
     Option("on", "When", "default: all", choices=DEVICE_EVENTS, many=True, default=list(DEVICE_EVENTS))),
    {"kind": "usb", "on": ["added"]}, _check_device,
    lambda o: f"when a {o.get('kind')} device is {_words(o, 'on', DEVICE_EVENTS)}", needs_display=False,
    fields=("event", "device", "name", "path", "connected", "up", "addresses", "percent"),
))  # fmt: skip

CHECKS = {k: t.check for k, t in KINDS.items()}


def listing(markdown: bool) -> str:
    """The desktop trigger kinds for ``flowdeck blocks`` (text) and docs/blocks.md (markdown), from KINDS."""
    if not markdown:
        out = ["\ntriggers (desktop; armed by the app):\n"]
        for k in KINDS.values():
            options = ", ".join(o.name + (f" [{'|'.join(o.choices)}]" if o.choices else "") for o in k.options)
            out.append(f"  {k.kind}: {k.help} Options: {options}. trigger: {', '.join(k.fields)}\n")
        return "".join(out)
    out = [
        "\n## Desktop triggers\n\nArmed by the app, not by `flowdeck daemon` (see [desktop.md](desktop.md)). "
        "In a run, `trigger` holds `kind` and the fields listed.\n"
    ]
    for k in KINDS.values():
        out.append(f"\n### `{k.kind}` — {k.title}\n\n{k.help}\n\n| option | values | help |\n|---|---|---|\n")
        for o in k.options:
            values = ", ".join(o.choices) + (" (a list)" if o.many else "") if o.choices else "text"
            out.append(f"| `{o.name}` | {values} | {o.help} |\n")
        out.append(f"\n`trigger`: {', '.join(f'`{f}`' for f in k.fields)}. Example: `{k.kind}: {_flow(k.new)}`\n")
    return "".join(out)


def _flow(options: dict[str, Any]) -> str:
    def show(v: Any) -> str:
        if isinstance(v, list):
            return "[" + ", ".join(map(str, v)) + "]"
        return f'"{v}"' if any(c in str(v) for c in "*^:{}[]") else str(v)

    return "{" + ", ".join(f"{k}: {show(v)}" for k, v in options.items()) + "}"
