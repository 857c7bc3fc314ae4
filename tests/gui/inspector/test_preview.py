"""Previews of templates against a run's values: the engine's sandboxed renderer, what is wrong said plainly."""

from __future__ import annotations

from engine.io import read_text
from engine.runtime.records import RunRecord, StepRecord
from gui.inspector.preview import NO_RUN, PreviewData, Previewer, compact, preview_data, render_preview, value_line

FLOW = """flowdeck: 1
name: Preview
vars: {folder: Reports}
steps:
  fetch: {do: log, with: {message: a}, next: later}
  later: {do: log, with: {message: b}}
"""


def _data(output: object = None, pins: dict | None = None) -> PreviewData | None:
    wf, _ = read_text(FLOW, check=False)
    steps = [StepRecord("fetch", "log", "succeeded", output=output)] if output is not None else []
    record = RunRecord("3f2a9c1234ab", "Preview", trigger={"name": "a.pdf"}, source="cli", steps=steps)
    return preview_data(wf, record, pins)


def test_values_of_the_run_vars_and_trigger() -> None:
    data = _data({"json": {"total": 12, "rows": [1, 2]}})
    assert render_preview("{{ steps.fetch.json.total }} invoices", data).line == "→ 12 invoices"
    assert render_preview("{{ vars.folder }}/{{ trigger.name }}", data).line == "→ Reports/a.pdf"
    assert render_preview("{{ steps.fetch.json.rows }}", data).line == "→ 2 items: [1, 2]"
    assert render_preview("{{ run.id }}", data).line == "→ 3f2a9c1234ab"


def test_what_is_missing_is_named_with_the_nearest_name() -> None:
    data = _data({"json": {"total": 12, "rows": [1, 2]}})
    cases = {
        "{{ steps.fetch.jsn }}": "'fetch' has no output 'jsn' (did you mean 'json'?)",
        "{{ steps.fetch.json.totl }}": "steps.fetch.json has no 'totl' (did you mean 'total'?)",
        "{{ steps.fetc.json }}": "no step 'fetc' (did you mean 'fetch'?)",
        "{{ steps.later.message }}": "'later' has no output in run 3f2a9c (it did not run, or failed)",
        "{{ vars.foldr }}": "no variable 'foldr' (did you mean 'folder'?)",
        "{{ steps.fetch.json.rows[5] }}": "steps.fetch.json.rows has no element 5",
        "{{ loop.item }}": "'loop' has a value only while the step runs (in a loop body, on an error route)",
    }
    for template, message in cases.items():
        preview = render_preview(template, data)
        assert preview.error and preview.line == message, template
    guarded = render_preview("{{ steps.fetch.jsn | default('none') }}", data)
    assert not guarded.error and guarded.line == "→ none"


def test_syntax_errors_limits_and_no_run() -> None:
    data = _data({"n": 1})
    assert render_preview("{{ steps.fetch.n }}", None).line == NO_RUN
    broken = render_preview("{{ steps.fetch.n ", data)
    assert broken.error and "\n" not in broken.line
    slow = render_preview("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", data)
    assert slow.error and slow.line.startswith("the preview took longer than 12 ms")
    assert render_preview("{{ 1 / 0 }}", data).line == "ZeroDivisionError: division by zero"


def test_a_pin_stands_in_for_its_step() -> None:
    data = _data({"n": 1}, pins={"fetch": {"output": {"n": 40}, "port": "next"}})
    assert render_preview("{{ steps.fetch.n }}", data).line == "→ 40"
    wf, _ = read_text(FLOW, check=False)
    assert preview_data(wf, None, None) is None  # neither a run nor a pin
    assert render_preview("{{ steps.fetch.n }}", preview_data(wf, None, {"fetch": {"output": {"n": 3}}})).line == "→ 3"


def test_values_in_one_line_never_encode_a_big_value_whole() -> None:
    big = {"rows": [{"id": i, "text": "x" * 100} for i in range(20_000)]}
    assert len(compact(big, 400)) == 401 and compact(big, 400).endswith("…")
    assert value_line("one\ntwo") == "one ⏎ two" and value_line("") == "(empty text)"
    assert value_line({"a": 1}) == '1 key: {"a": 1}'


def test_the_previewer_previews_only_templates() -> None:
    previewer = Previewer()
    assert previewer("plain text") is None and previewer(3) is None
    assert previewer("{{ steps.x }}").line == NO_RUN
    generation = previewer.generation
    previewer.set_data(_data({"n": 1}))
    assert previewer.generation == generation + 1


def test_an_output_the_history_kept_cut_says_so() -> None:
    data = _data('{"json": {"total": 12, "rows": [1, 2, … [truncated: 2,000,000 characters in all]')
    preview = render_preview("{{ steps.fetch.json.total }}", data)
    assert preview.error
    assert preview.line == "the output of 'fetch' was too big for the history and kept cut; it cannot be previewed"


def test_templates_inside_a_list_or_mapping_are_previewed() -> None:
    """A mapping field (HTTP headers, a form's fields) or a list holding templates previews the whole value, and a
    missing name in any of its templates is named."""
    data = _data({"json": {"total": 12}})
    headers = {"X-Total": "{{ steps.fetch.json.total }}", "Accept": "text/csv"}
    assert render_preview(headers, data).line == '→ 2 keys: {"X-Total": 12, "Accept": "text/csv"}'
    assert render_preview(["{{ vars.folder }}", "b"], data).line == '→ 2 items: ["Reports", "b"]'
    missing = render_preview({"a": "x", "b": "{{ steps.fetch.jsn }}"}, data)
    assert missing.error and missing.line == "'fetch' has no output 'jsn' (did you mean 'json'?)"
    assert Previewer()({"a": "plain"}) is None and Previewer()(["{{ x"]) is not None
