"""Declarations of a block's parameters, ports and outputs, and the checks each parameter kind makes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from engine.model.durations import parse_duration, show_number

MAX_NUMBER = 10**15  # the largest number (either sign) a number parameter takes: exact as a float, beyond any use


class Kind(StrEnum):
    """What a parameter holds; the inspector picks its editor from this, the validator its check."""

    TEXT = "text"
    MULTILINE = "multiline"
    NUMBER = "number"
    INTEGER = "integer"
    BOOL = "bool"
    CHOICE = "choice"
    PATH = "path"
    DURATION = "duration"
    SECRET = "secret"
    CODE = "code"
    LIST = "list"
    MAPPING = "mapping"
    ANY = "any"


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

BROWSE_MODES = ("open", "save", "folder", "any")  # what a path parameter's file dialog picks


@dataclass(frozen=True)
class Param:
    """One parameter of a block, as the person sees it in the inspector and writes it under ``with:``."""

    name: str
    kind: Kind = Kind.TEXT
    default: Any = MISSING
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    # False for parameters whose text is a template the block renders itself (e.g. a loop condition).
    templated: bool = True
    placeholder: str = ""
    minimum: float | None = None
    maximum: float | None = None
    # For paths, what the inspector's file dialog picks: an existing file ("open"), a file to create ("save"),
    # a folder ("folder"), or either ("any").
    browse: str = "open"
    # A path parameter that also takes a list of paths written in the file (file.list's paths, or [a.txt, b.txt]).
    many: bool = False
    # A text parameter that also takes a list or mapping written in the file (file.write writes it as JSON).
    data: bool = False
    # The block's main setting: the inspector shows it at the top even when optional (Write file's content).
    main: bool = False
    # What else is wrong with a literal value of the right kind (ask.form's field kinds), or None: checked by the
    # validator as the kind is, so a mistake is found before a run (a module-level function: plans are pickled).
    validate: Callable[[Any], str | None] | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING

    def check(self, value: Any) -> str | None:
        """Return what is wrong with a literal ``value`` for this parameter, or None when it fits.

        Values holding a template (``{{ ... }}``) are checked only when the run renders them.
        """
        if isinstance(value, str) and "{{" in value:
            return None
        checker = _CHECKS.get(self.kind)
        problem = checker(self, value) if checker else None
        if problem is None and self.kind in (Kind.NUMBER, Kind.INTEGER):
            problem = self._check_range(value)
        if problem is None and self.validate is not None:
            problem = self.validate(value)
        return problem

    def _check_range(self, value: float) -> str | None:
        if self.minimum is not None and value < self.minimum:
            return f"must be at least {_num(self.minimum)}, got {_num(value)}"
        if self.maximum is not None and value > self.maximum:
            return f"must be at most {_num(self.maximum)}, got {_num(value)}"
        return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _describe(value: Any) -> str:
    names = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }
    text = repr(value) if not isinstance(value, list | dict) else ""
    kind = next((n for t, n in names.items() if isinstance(value, t)), type(value).__name__)  # loader subclasses too
    return f"{kind} {text}".strip() if value is not None else "nothing (null)"


def _text(p: Param, v: Any) -> str | None:
    if isinstance(v, str):
        return None
    if isinstance(v, int | float) and not isinstance(v, bool):
        return None  # numbers are fine where text is expected; they render as text
    if p.data and isinstance(v, list | dict):
        return None
    return f"expected text, got {_describe(v)}"


def _path(p: Param, v: Any) -> str | None:
    if p.many and isinstance(v, list):
        if not v:
            return "expected a path or a list of paths, got an empty list"
        return next((f"item {i + 1}: {problem}" for i, item in enumerate(v) if (problem := _path(p, item))), None)
    problem = _text(p, v)
    if problem is None and isinstance(v, str) and "\0" in v:
        return f"a path cannot hold a NUL character (\\0, at character {v.index(chr(0)) + 1}): {v!r}"
    return problem


def _number(p: Param, v: Any) -> str | None:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return _bounded(v)
    return f"expected a number, got {_describe(v)}"


def _integer(p: Param, v: Any) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool):
        return _bounded(v)
    return f"expected a whole number, got {_describe(v)}"


def _bounded(v: float) -> str | None:
    if v != v:  # NaN
        return "expected a number, got .nan (not a number)"
    if not -MAX_NUMBER <= v <= MAX_NUMBER:  # also infinities; ints are compared exactly, never made floats
        return f"{show_number(v)} is beyond the largest number a parameter takes (±10^15)"
    return None


def _bool(p: Param, v: Any) -> str | None:
    return None if isinstance(v, bool) else f"expected true or false, got {_describe(v)}"


def _choice(p: Param, v: Any) -> str | None:
    if v in p.choices:
        return None
    return f"expected one of {', '.join(map(str, p.choices))}; got {v!r}"


def _duration(p: Param, v: Any) -> str | None:
    try:
        parse_duration(v, "timeout" if p.name == "timeout" else "duration")
    except ValueError as exc:
        return str(exc)
    return None


def _list(p: Param, v: Any) -> str | None:
    return None if isinstance(v, list) else f"expected a list, got {_describe(v)}"


def _mapping(p: Param, v: Any) -> str | None:
    return None if isinstance(v, dict) else f"expected a mapping (key: value), got {_describe(v)}"


_CHECKS = {
    Kind.TEXT: _text,
    Kind.MULTILINE: _text,
    Kind.PATH: _path,
    Kind.CODE: _text,
    Kind.SECRET: _text,
    Kind.NUMBER: _number,
    Kind.INTEGER: _integer,
    Kind.BOOL: _bool,
    Kind.CHOICE: _choice,
    Kind.DURATION: _duration,
    Kind.LIST: _list,
    Kind.MAPPING: _mapping,
}


@dataclass(frozen=True)
class Output:
    """A key of a block's output, as later steps read it: ``{{ steps.<id>.<name> }}``."""

    name: str
    help: str = ""


@dataclass(frozen=True)
class Ports:
    """A block's output ports. ``dynamic`` blocks (switch) accept any port name the person writes."""

    names: tuple[str, ...] = ("next",)
    dynamic: bool = False
    help: dict[str, str] = field(default_factory=dict)
