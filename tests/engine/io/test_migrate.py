"""Older formats are migrated on load."""

from engine.io import dumps, read_text

FORMAT_0 = """\
flowdeck: 0
name: Old style
steps:
  - id: hello
    type: log
    params: {message: hi}
    next: bye
  - id: bye
    type: log
    params: {message: bye}
"""


def test_format_0_steps_list_becomes_keyed_steps() -> None:
    wf, problems = read_text(FORMAT_0, "old.yaml")
    assert [str(p) for p in problems] == []
    assert list(wf.steps) == ["hello", "bye"]
    assert wf.steps["hello"].do == "log"
    assert wf.steps["hello"].params == {"message": "hi"}
    assert wf.steps["hello"].next == {"next": ["bye"]}
    assert wf.version == 1
    saved = dumps(wf)
    assert saved.startswith("flowdeck: 1\n")
    assert "do: log" in saved and "type:" not in saved


def test_migrated_problems_still_have_positions() -> None:
    _, problems = read_text(FORMAT_0.replace("type: log\n    params: {message: bye}", "type: lgo"), "old.yaml")
    bad = [p for p in problems if p.is_error]
    assert bad and bad[0].line == 9
