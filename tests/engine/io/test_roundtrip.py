"""save(load(file)) keeps order and content; loading what was saved gives an equal workflow."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import resources
from engine.io import dumps, read_text
from engine.model.workflow import Step, Trigger, Workflow

ids = st.text(string.ascii_lowercase + "_", min_size=1, max_size=8).filter(
    lambda s: s[0] != "_" and s not in ("fail", "continue")
)
plain_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    plain_text,
    st.sampled_from(["{{ vars.x }}", "a {{ steps.a.text }} b", "2026-12-01", "yes", "null", "0x1F", "multi\nline"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(ids, inner, max_size=3)),
    max_leaves=8,
)


@st.composite
def workflows(draw: st.DrawFn) -> Workflow:
    step_ids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    steps = {}
    for i, sid in enumerate(step_ids):
        later = step_ids[i + 1 :]
        step = Step(id=sid, do="log", params={"message": draw(plain_text)})
        if later and draw(st.booleans()):
            step.next = {"next": draw(st.lists(st.sampled_from(later), min_size=1, max_size=2, unique=True))}
        if draw(st.booleans()):
            step.timeout = draw(st.sampled_from(["30s", "5m", 10, 2.5]))
        if draw(st.booleans()):
            step.retry = {"attempts": draw(st.integers(1, 5)), "backoff": "2s"}
        if draw(st.booleans()):
            step.extra = {"x-note": draw(values)}
        steps[sid] = step
    wf = Workflow(
        name=draw(plain_text.filter(lambda s: s.strip())),
        description=draw(plain_text),
        vars=draw(st.dictionaries(ids, values, max_size=4)),
        steps=steps,
        triggers=draw(
            st.lists(
                st.sampled_from(
                    [
                        Trigger("schedule", {"cron": "0 8 * * mon-fri"}),
                        Trigger("schedule", {"every": "10m"}),
                        Trigger("watch", {"path": "~/Downloads", "pattern": "*.pdf"}),
                    ]
                ),
                max_size=2,
            )
        ),
        layout={sid: [draw(st.integers(-500, 500)), draw(st.integers(-500, 500))] for sid in step_ids},
    )
    return wf


def _same(a: Workflow, b: Workflow) -> None:
    assert a.name == b.name
    assert a.description == b.description
    assert a.vars == b.vars
    assert a.triggers == b.triggers
    assert a.layout == b.layout
    assert list(a.steps) == list(b.steps)
    for sid, step in a.steps.items():
        other = b.steps[sid]
        for attr in ("do", "params", "next", "timeout", "retry", "on_error", "extra", "title", "description"):
            assert getattr(step, attr) == getattr(other, attr), (sid, attr)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(workflows())
def test_dump_then_load_gives_an_equal_workflow(wf: Workflow) -> None:
    text = dumps(wf)
    loaded, problems = read_text(text, "gen.yaml")
    assert loaded is not None, [str(p) for p in problems]
    assert [str(p) for p in problems if p.is_error] == []
    _same(wf, loaded)
    assert dumps(loaded) == text  # stable: a second save changes nothing


def test_hand_written_file_keeps_its_key_order() -> None:
    text = """\
# My report, edited by hand.
flowdeck: 1
name: Order test
steps:
  first:
    next: second
    do: log
    with: {level: warning, message: hi}
  second:
    with: {message: bye}
    do: log
vars:
  b: 2
  a: 1
description: at the end
"""
    wf, problems = read_text(text, "x.yaml")
    assert [p for p in problems if p.is_error] == []
    out = dumps(wf)
    assert out.startswith("# My report, edited by hand.\nflowdeck: 1\nname: Order test\n")
    assert out.index("steps:") < out.index("vars:") < out.index("description:")
    assert "    next: second\n    do: log\n    with: {level: warning, message: hi}" in out
    assert "  second:\n    with: {message: bye}\n    do: log" in out
    assert out.index("b: 2") < out.index("a: 1")


def test_examples_survive_a_round_trip_exactly() -> None:
    for path in resources.EXAMPLES.glob("*.yaml"):
        wf, _ = read_text(path.read_text("utf-8"), str(path))
        again, _ = read_text(dumps(wf), str(path))
        _same(wf, again)
