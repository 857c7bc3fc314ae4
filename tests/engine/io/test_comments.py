"""Comments survive load and save: above a key, at the end of a line, at the end of the file; never content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.io import read_text
from engine.io.comments import END
from engine.io.save import dumps

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "resources" / "examples").glob("*.yaml"))

COMMENTED = """\
# The header stays on top.
flowdeck: 1
name: Commented   # shown in the app
vars:
  # where the reports go
  out: ~/Reports  # change me
  keep:
    - a   # the first
    - b
steps:
  # Fetch it first.
  # Two lines of why.
  fetch:
    do: log
    with: {message: "hi # not a comment"}  # on a flow mapping
    next: save
  save:
    do: log
    with:
      message: |  # on a block scalar
        line # inside the text
        two
# the very end
"""


def load(text: str):
    wf, problems = read_text(text, "c.yaml")
    assert wf is not None and not [p for p in problems if p.severity == "error"], problems
    return wf


def test_comments_come_back_beside_their_keys() -> None:
    saved = dumps(load(COMMENTED))
    lines = saved.splitlines()
    assert lines[0] == "# The header stays on top."
    assert "name: Commented  # shown in the app" in lines
    assert lines[lines.index("  out: ~/Reports  # change me") - 1] == "  # where the reports go"
    assert "  keep: [a, b]  # the first" in lines
    fetch = lines.index("  fetch:")
    assert lines[fetch - 2 : fetch] == ["  # Fetch it first.", "  # Two lines of why."]
    assert re.search(r"with: \{message: .hi # not a comment.\}  # on a flow mapping", saved)
    assert "      message: |  # on a block scalar" in lines
    assert "        line # inside the text" in lines
    assert lines[-1] == "# the very end"
    assert saved.count("#") == COMMENTED.count("#")  # nothing doubled, nothing dropped


def test_saving_again_changes_nothing() -> None:
    once = dumps(load(COMMENTED))
    assert dumps(load(once)) == once
    assert load(once) == load(COMMENTED)


def test_hash_signs_inside_values_are_not_comments() -> None:
    wf = load(COMMENTED)
    assert wf.steps["fetch"].params["message"] == "hi # not a comment"
    assert wf.steps["save"].params["message"] == "line # inside the text\ntwo\n"
    assert not [c for c in wf.comments.values() if "inside" in " ".join(c.above) + c.after]


def test_a_deleted_step_takes_its_comments_with_it() -> None:
    wf = load(COMMENTED)
    del wf.steps["fetch"]
    saved = dumps(wf)
    assert "Fetch it first" not in saved and "on a flow mapping" not in saved
    assert "# the very end" in saved and "# change me" in saved
    assert wf.comments[END].above == ("# the very end",)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_shipped_example_keeps_its_comments(example: Path) -> None:
    text = example.read_text()
    saved = dumps(load(text))
    for comment in re.findall(r"(?m)^\s*(#.*)$", text):
        assert comment in saved, f"{example.name}: {comment!r} lost"


KEY_LINE = re.compile(r"^(\s*)(- )?[A-Za-z_][\w.-]*:( |$)")
# A comment drawn above a key-like line inside a `|` text becomes part of that text; "{#", "{{" or "{%" there would
# be a broken expression (which validation reports), not a comment test.
WORDS = (
    st.text(alphabet="abcdefghij klmnop:#'\"{}[]-", min_size=1, max_size=20)
    .map(str.strip)
    .filter(lambda w: w and not any(t in w for t in ("{#", "{{", "{%")))
)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_comments_anywhere_a_key_starts_survive(data: st.DataObject) -> None:
    base = EXAMPLES[0].read_text().splitlines()
    out, wanted = [], []
    for line in base:
        if KEY_LINE.match(line) and not line.startswith("#") and data.draw(st.booleans()):
            comment = "# " + data.draw(WORDS)
            out.append(KEY_LINE.match(line).group(1) + comment)
            wanted.append(comment)
        out.append(line)
    text = "\n".join(out) + "\n"
    saved = dumps(load(text))
    for comment in wanted:
        assert comment in saved
    assert load(saved) == load(text)
