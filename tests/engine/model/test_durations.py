"""Durations are bounded (0 ≤ d ≤ 366 days, finite) with the same words at validation and at run time."""

from __future__ import annotations

import math

import pytest

from engine.io import read_text
from engine.model.durations import MAX_DURATION, parse_duration
from engine.runtime.executor import Run
from engine.runtime.plan import compile_plan


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**400, "1e400 s is longer than the largest timeout (366 days)"),
        (math.inf, "infinity s is longer than the largest timeout (366 days)"),
        (math.nan, "expected a duration like 30s, 5m or 1h, got nan (not a number)"),
        ("367d", "'367d' is longer than the largest timeout (366 days)"),
        ("9" * 150 + "s", "'" + "9" * 39 + "…' is longer than the largest timeout (366 days)"),
        ("9" * 5000 + "s", "expected a duration like 30s, 5m or 1h, got '" + "9" * 39 + "…'"),
        (-1, "a duration cannot be negative, got -1"),
    ],
    ids=["400-digits", "inf", "nan", "367d", "150-digit-text", "5000-digit-text", "negative"],
)
def test_out_of_range_durations_are_refused_in_plain_words(value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(value, "timeout")
    assert str(caught.value) == message


def test_the_largest_duration_is_accepted() -> None:
    assert parse_duration("366d") == MAX_DURATION
    assert parse_duration(MAX_DURATION) == MAX_DURATION
    assert parse_duration("0s") == 0


def test_a_wait_given_by_an_expression_has_the_bound_and_message_of_validation() -> None:
    text = "flowdeck: 1\nname: W\nvars: {d: 0}\nsteps:\n  w: {do: wait, with: {duration: '{{ vars.d }}'}}\n"
    wf, problems = read_text(text, "w.yaml")
    assert problems == []
    result = Run(compile_plan(wf), variables={"d": 10**400}).execute()
    assert result.status == "failed"
    assert result.error["message"] == "steps.w.with.duration: 1e400 s is longer than the largest duration (366 days)"
    literal = text.replace("'{{ vars.d }}'", "1" + "0" * 400)
    _, problems = read_text(literal, "w.yaml")
    assert [p.message for p in problems] == [result.error["message"]]
