"""Text <-> YAML value conversions shared by the inspector's editors."""

from __future__ import annotations

from typing import Any

import yaml

from engine.registry import MISSING, Kind


def to_text(value: Any) -> str:
    """How a value reads in a one-line field: text as is, anything else as inline YAML."""
    if value is MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    text = yaml.safe_dump(plain(value), default_flow_style=True, width=10_000, allow_unicode=True)
    return text.strip().removesuffix("...").strip()


def plain(value: Any) -> Any:
    """Plain dicts, lists and scalars (the loader's containers remember where they were written)."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def from_text(text: str, kind: Kind) -> Any:
    """A field's text as the value to write: empty is MISSING; ``any`` fields read inline YAML."""
    if text == "":
        return MISSING
    if kind != Kind.ANY or "{{" in text:
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def yaml_problem(text: str) -> str | None:
    """Why inline YAML text does not read as YAML (None when it does, or holds an expression)."""
    if not text or "{{" in text:
        return None
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return f"not valid YAML: {mark}"
    return None


def cell_value(text: str, original: Any) -> Any:
    """A table cell's text as a value: the original value when its text is unchanged, else the text."""
    if original is not MISSING and to_text(original) == text:
        return original
    return text
