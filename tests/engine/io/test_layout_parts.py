"""Notes, groups and disabled steps in a workflow file: read, checked with their line, saved as written."""

from __future__ import annotations

from engine.io import dumps, read_text
from engine.model.workflow import Group, Note, Step, Workflow

FILE = """flowdeck: 1
name: Parts

steps:
  a:
    do: log
    with: {message: hi}
    next: b

  b:
    do: log
    disabled: true
    with: {message: there}

layout:
  # where the steps are
  a: [0, 0]
  note why: {at: [0, -140], size: [240, 100], text: The API is slow on **Mondays**.}  # keep
  b: [260, 0]
  note todo:
    at: [300, -140]
    size: [220, 120]
    colour: blue
    text: |
      - ask for a token
      - keep a copy
  group Download: {colour: green, steps: [a, b]}
"""


def test_notes_groups_and_disabled_are_read_and_saved_exactly_as_written() -> None:
    wf, problems = read_text(FILE)
    assert problems == []
    assert wf.steps["b"].disabled and not wf.steps["a"].disabled
    why = Note([0, -140], [240, 100], "The API is slow on **Mondays**.", "yellow", ["at", "size", "text"])
    assert wf.notes["why"] == why
    assert wf.notes["todo"].text == "- ask for a token\n- keep a copy\n" and wf.notes["todo"].colour == "blue"
    assert wf.groups["Download"].steps == ["a", "b"] and wf.groups["Download"].colour == "green"
    assert dumps(wf) == FILE


def test_new_notes_and_groups_come_after_what_was_written_and_short_ones_take_one_line() -> None:
    wf = Workflow(name="New", steps={"a": Step("a", "log", {"message": "x"})}, layout={"a": [0, 0]})
    wf.notes["1"] = Note([10, 20], text="Hello")
    wf.groups["All of it"] = Group(["a"], "red")
    text = dumps(wf)
    assert text.endswith(
        "layout:\n  a: [0, 0]\n  note 1: {at: [10, 20], size: [220, 120], text: Hello}\n"
        "  group All of it: {colour: red, steps: [a]}\n"
    )
    again, problems = read_text(text)
    assert problems == [] and again.notes == wf.notes and again.groups == wf.groups


def test_bad_notes_groups_and_disabled_values_name_their_line() -> None:
    text = """flowdeck: 1
name: Bad
steps:
  a:
    do: log
    disabled: maybe
    with: {message: hi}
layout:
  note x: {at: [0], colour: pink, txt: hi}
  note : {at: [0, 0]}
  group G: {steps: [a, ghost]}
  group H: {steps: [a]}
  group I: [a]
"""
    _wf, problems = read_text(text, "bad.yaml")
    lines = sorted(f"{p.line}: {p.message}" for p in problems)
    assert "6: steps.a.disabled: expected true or false, got 'maybe'" in lines
    assert any(line.startswith("9: layout.note x.at: expected [x, y], got [0]") for line in lines), lines
    assert any(line.startswith("9: layout.note x.colour: expected a colour (yellow, blue") for line in lines), lines
    assert any(line.startswith("9: layout.note x.txt: unknown key — did you mean 'text'?") for line in lines), lines
    assert any(line.startswith("10: layout.note: give the note a name") for line in lines), lines
    assert "11: layout.group G.steps: 'ghost' is not a step" in lines
    assert "12: layout.group H.steps: 'a' is in group 'G' already; a step is in one group at most" in lines
    assert any(line.startswith("13: layout.group I: expected a group with colour, steps") for line in lines), lines


def test_a_disabled_branch_step_warns_that_only_next_is_followed() -> None:
    text = "flowdeck: 1\nname: W\nsteps:\n  c:\n    do: if\n    disabled: true\n    with: {condition: 'true'}\n"
    text += "    next: {then: d}\n  d: {do: log, with: {message: x}}\n"
    _wf, problems = read_text(text)
    assert [p.message for p in problems] == [
        "steps.c.disabled: a disabled step goes on along 'next' only; its then wires are not followed"
    ]
