"""Problems from typos carry a structured fix (the did-you-mean as data) that an editor can offer and apply."""

from __future__ import annotations

from engine.io import Fix, read_text

TEXT = """
flowdeck: 1
name: Typos
steps:
  fetch: {do: http.requst, with: {url: "http://127.0.0.1/"}, next: say}
  say: {do: log, with: {mesage: hi}}
  pick: {do: if, with: {condition: "true"}, next: {thne: say}}
  both: {do: log, with: {message: a, mesage: b}}
  odd: {do: zzzzzz}
"""


def _fixes() -> dict[tuple, Fix | None]:
    wf, problems = read_text(TEXT)
    assert wf is not None
    return {p.path: p.fix for p in problems}


def test_unknown_block_gets_change_to() -> None:
    fix = _fixes()[("steps", "fetch", "do")]
    assert fix == Fix("Change to http.request", ("steps", "fetch", "do"), "http.request", "value")


def test_unknown_parameter_and_port_get_rename_to() -> None:
    fixes = _fixes()
    assert fixes[("steps", "say", "with", "mesage")] == Fix(
        "Rename to message", ("steps", "say", "with", "mesage"), "message", "rename"
    )
    assert fixes[("steps", "pick", "next", "thne")] == Fix(
        "Rename to then", ("steps", "pick", "next", "thne"), "then", "rename"
    )


def test_no_fix_without_a_close_name_or_when_the_name_is_taken() -> None:
    fixes = _fixes()
    assert fixes[("steps", "odd", "do")] is None
    assert fixes[("steps", "both", "with", "mesage")] is None  # renaming would drop one of the two values
