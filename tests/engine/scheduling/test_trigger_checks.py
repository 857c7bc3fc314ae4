"""Trigger checks at validate time: each bad value is named with file:line:col."""

from __future__ import annotations

import pytest

from engine.io import read_text
from engine.io.triggers import crontab_day_of_week

FLOW = """flowdeck: 1
name: t
triggers:
  - {trigger}
steps:
  a:
    do: log
    with: {{message: hi}}
"""


def _problems(trigger: str) -> list[str]:
    _, problems = read_text(FLOW.format(trigger=trigger), "t.yaml")
    return [str(p) for p in problems]


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [
        ('schedule: {cron: "0 8 * *"}', "t.yaml:4:16: triggers[0].schedule.cron: expected 5 fields"),
        ('schedule: {cron: "61 8 * * *"}', "minute field '61': 61 is out of range 0-59"),
        ('schedule: {cron: "0 25 * * *"}', "hour field '25'"),
        ('schedule: {cron: "0 8 * foo *"}', "month field 'foo': 'foo' is not a number 1-12 or a name"),
        ('schedule: {cron: "0 8 * * fri-mon"}', "day-of-week field 'fri-mon': range 'fri-mon' goes backwards"),
        ('schedule: {cron: "*/0 * * * *"}', "minute field '*/0': step '/0'"),
        ("schedule: {every: 10m, timezone: Mars/Olympus}", "t.yaml:4:28: triggers[0].schedule.timezone: unknown time"),
        ("schedule: {every: ten minutes}", "triggers[0].schedule.every:"),
        ("schedule: {every: 0s}", "must be longer than 0s"),
        ('schedule: {at: "next tuesday"}', "expected a date and time like '2026-12-01 09:00'"),
        ("watch: {pattern: '*.pdf'}", "path: required"),
        ("watch: {path: /tmp, events: [touched]}", "expected a list of created, modified, deleted, moved"),
        ("watch: {path: /tmp, pattern: /abs/*.pdf}", "expected a glob pattern"),
        ("webhook: {path: 'my hook!'}", "'my hook!': expected a name of letters, digits, - and _"),
    ],
)
def test_bad_trigger_is_an_error_with_position(trigger: str, expected: str) -> None:
    problems = _problems(trigger)
    assert any(expected in p and "warning" not in p for p in problems), problems
    assert all(p.startswith("t.yaml:4:") for p in problems), problems


def test_at_in_the_past_is_a_warning() -> None:
    problems = _problems('schedule: {at: "2001-01-01 09:00"}')
    assert len(problems) == 1 and "warning: " in problems[0] and "in the past" in problems[0]


@pytest.mark.parametrize(
    "trigger",
    [
        'schedule: {cron: "0 8 * * mon-fri", timezone: America/New_York}',
        'schedule: {cron: "*/5 0-6,22-23 1,15 jan-mar,dec 0,6"}',
        'schedule: {at: "2999-12-01 09:00"}',
        "schedule: {every: 1h}",
        "watch: {path: ~/Downloads, pattern: '*.pdf', events: [created, moved], debounce: 2s}",
        "webhook: {path: lights-1, token: '{{ secrets.lights }}'}",
    ],
)
def test_good_triggers_pass(trigger: str) -> None:
    assert _problems(trigger) == []


def test_crontab_weekday_numbers_become_names() -> None:
    assert crontab_day_of_week("1-5") == "mon-fri"
    assert crontab_day_of_week("0,6") == "sun,sat"
    assert crontab_day_of_week("7") == "sun"
    assert crontab_day_of_week("1-7") == "*"
    assert crontab_day_of_week("mon-fri/2") == "mon-fri/2"
