"""Smaller format problems: error kinds, switch ports, format-0 duplicates, long keys and ids, NUL in paths."""

from __future__ import annotations

import re
from pathlib import Path

from engine.errors import ERROR_KINDS
from engine.io import read_text

DOCS = Path(__file__).resolve().parents[3] / "docs"
HEAD = "flowdeck: 1\nname: T\n"


def messages(text: str) -> list[str]:
    _, found = read_text(text, "t.yaml")
    return [str(p) for p in found]


def test_retry_on_rejects_an_unknown_error_kind_with_a_did_you_mean() -> None:
    text = HEAD + 'steps:\n  a:\n    do: log\n    with: {message: hi}\n    retry: {attempts: 2, "on": [http, timout]}\n'
    assert messages(text) == [
        f"t.yaml:7:26: steps.a.retry.on: unknown error kind 'timout' — did you mean 'timeout'? "
        f"(the kinds: {', '.join(ERROR_KINDS)})"
    ]


def test_the_error_kinds_table_in_the_docs_is_the_declaration() -> None:
    text = (DOCS / "runtime.md").read_text()
    section = text.split("## Error kinds", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z]+)` \| (.+) \|$", section, re.MULTILINE)
    assert rows == list(ERROR_KINDS.items())


def test_switch_ports_1_and_quoted_1_are_one_port_written_twice() -> None:
    text = (
        HEAD + "steps:\n  s:\n    do: switch\n    with: {value: '{{ 1 }}'}\n    next: {1: a, '1': b}\n"
        "  a: {do: log, with: {message: a}}\n  b: {do: log, with: {message: b}}\n"
    )
    assert messages(text)[0] == (
        "t.yaml:7:18: steps.s.next.1: port '1' is the same port as 1 above (ports are text); write it once"
    )


def test_a_format_0_step_id_written_twice_is_a_duplicate_key() -> None:
    text = (
        "flowdeck: 0\nname: Old\nsteps:\n  - id: a\n    type: log\n    params: {message: one}\n"
        "  - id: a\n    type: log\n    params: {message: two}\n"
    )
    assert messages(text) == ["t.yaml:7:9: duplicate key 'a' (first written at line 4)"]


def test_a_key_longer_than_yaml_allows_says_so() -> None:
    text = HEAD + "steps:\n  " + "a" * 1100 + ": {do: log, with: {message: hi}}\n"
    assert messages(text) == [
        "t.yaml:4:1: a key of 1,100 characters: YAML reads keys of at most 1,024 characters "
        "(and a step id may have at most 128)"
    ]


def test_a_step_id_has_at_most_128_characters() -> None:
    text = HEAD + "steps:\n  " + "b" * 200 + ": {do: log, with: {message: hi}}\n"
    assert messages(text) == [f"t.yaml:4:3: steps.{'b' * 59}…: a step id has at most 128 characters; this one has 200"]


def test_a_nul_in_a_literal_path_names_the_parameter() -> None:
    text = HEAD + 'steps:\n  w:\n    do: file.write\n    with: {path: "/tmp/a\\0b", content: x}\n'
    assert messages(text) == [
        "t.yaml:6:12: steps.w.with.path: a path cannot hold a NUL character (\\0, at character 7): '/tmp/a\\x00b'"
    ]
