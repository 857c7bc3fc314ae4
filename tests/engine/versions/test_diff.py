"""What changed between two versions: steps added, removed and changed, over the parsed YAML; and the text."""

from __future__ import annotations

from engine.versions import compare, side_by_side, text_diff

OLD = """flowdeck: 1
name: Report
triggers:
  - schedule: {every: 1h}
steps:
  fetch: {do: http.request, with: {url: "http://a", method: GET}, next: save}
  save: {do: file.write, with: {path: out.txt, content: x}}
  old: {do: log}
layout:
  fetch: [0, 0]
  save: [240, 0]
"""
NEW = """flowdeck: 1
name: Report
triggers:
  - schedule: {every: 2h}
steps:
  fetch: {do: http.request, with: {url: "http://b", method: GET}, next: [save, alert]}
  save: {do: file.write, with: {path: out.txt, content: x}}
  alert: {do: notify, with: {title: T, message: M}}
layout:
  fetch: [0, 0]
  save: [300, 40]
"""


def test_compare_names_steps_added_removed_changed_and_moved() -> None:
    change = compare(OLD, NEW)
    assert change.added == {"alert": "notify"}
    assert change.removed == {"old": "log"}
    assert change.changed == {"fetch": ["with.url", "next"]}
    assert change.workflow == ["triggers"]
    assert change.moved == ["save"]
    assert change.line() == (
        "added alert (notify); removed old; changed fetch (with.url, next); changed triggers; "
        "moved 1 step on the canvas"
    )


def test_compare_first_version_bad_yaml_and_comments_only() -> None:
    assert compare(None, OLD).line() == "added fetch (http.request), save (file.write), old (log)"
    assert compare(OLD, "steps: [unclosed").line() == "the file does not parse as YAML"
    assert compare(OLD, "# a comment\n" + OLD).line() == "comments or formatting only"
    assert compare(OLD, OLD).same


def test_text_diff_and_side_by_side_rows() -> None:
    diff = text_diff(OLD, NEW, "v1", "v2")
    assert diff.startswith("--- v1\n+++ v2\n") and "-  old: {do: log}\n" in diff
    rows = side_by_side("a\nb\nc\n", "a\nB\nc\nd\n")
    assert [(r.kind, r.left_no, r.right_no) for r in rows] == [
        ("equal", 1, 1), ("changed", 2, 2), ("equal", 3, 3), ("added", None, 4)
    ]  # fmt: skip
