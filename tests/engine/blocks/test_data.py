"""Data blocks: JSON, JMESPath, text, regex, dates, set and log, called directly and through the engine."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from engine.blocks.core import log_message, set_vars
from engine.blocks.data import json_format, json_parse, json_query, regex_match, regex_replace, text_template
from engine.blocks.dates import datetime_block
from engine.errors import StepError
from tests.engine.blocks.conftest import Ctx, run_yaml


def test_json_parse_and_format(ctx: Ctx) -> None:
    assert json_parse(ctx, '{"a": [1, 2]}')["value"] == {"a": [1, 2]}
    assert json_parse(ctx, {"already": "data"})["value"] == {"already": "data"}
    assert json_format(ctx, {"b": 1, "a": "é"}, indent=0, sort_keys=True)["text"] == '{"a": "é", "b": 1}'
    assert json_format(ctx, [1], indent=2)["text"] == "[\n  1\n]"


def test_invalid_json_names_line_and_column(ctx: Ctx) -> None:
    with pytest.raises(
        StepError,
        match=r"text: not valid JSON: Expecting ',' delimiter at line 2, column 13 \(near .\"b\": \[1, 2 3\]\}.\)",
    ):
        json_parse(ctx, '{"a": 1,\n "b": [1, 2 3]}')
    with pytest.raises(StepError, match=r"text: is empty, not JSON"):
        json_parse(ctx, "  ")


def test_json_query(ctx: Ctx) -> None:
    data = {"total": 42, "items": [{"name": "a", "price": 3}, {"name": "b", "price": 5}]}
    assert json_query(ctx, data, "items[?price > `4`].name")["result"] == ["b"]
    assert json_query(ctx, '{"x": {"y": 1}}', "x.y")["result"] == 1
    assert json_query(ctx, data, "nothing.here")["result"] is None
    with pytest.raises(StepError, match=r"query: 'items\[\?' is not a valid JMESPath query"):
        json_query(ctx, data, "items[?")
    with pytest.raises(StepError, match=r"data: not valid JSON"):
        json_query(ctx, "{oops", "a")


def test_template_and_trim(ctx: Ctx) -> None:
    assert text_template(ctx, "  hi\nthere \n", trim=True) == {"text": "hi\nthere", "lines": ["hi", "there"]}


def test_regex_match_groups_all_and_flags(ctx: Ctx) -> None:
    out = regex_match(ctx, "Total: 12 EUR, tax 3 EUR", r"(?P<amount>\d+) EUR")
    assert out["matched"] and out["match"] == "12 EUR" and out["groups"] == ["12"]
    assert out["named"] == {"amount": "12"} and out["count"] == 2
    assert [m["text"] for m in out["all"]] == ["12 EUR", "3 EUR"]
    assert regex_match(ctx, "ERROR here", "error", ignore_case=True)["matched"]
    assert regex_match(ctx, "a\nb", "^b$", multiline=True)["matched"]
    missing = regex_match(ctx, "nothing", r"\d+")
    assert (missing["matched"], missing["match"], missing["groups"]) == (False, "", [])
    with pytest.raises(StepError, match=r"was not found"):
        regex_match(ctx, "nothing", r"\d+", must_match=True)


def test_bad_regex_is_named(ctx: Ctx) -> None:
    with pytest.raises(StepError, match=r"pattern '\(\\\\d\+' is not a valid regular expression: missing \), "):
        regex_match(ctx, "x", r"(\d+")
    with pytest.raises(StepError, match=r"refers to a group the pattern does not have"):
        regex_replace(ctx, "abc", "b", r"\2")


def test_regex_replace(ctx: Ctx) -> None:
    assert regex_replace(ctx, "2026-03-01", r"(\d+)-(\d+)-(\d+)", r"\3.\2.\1") == {"text": "01.03.2026", "replaced": 1}
    assert regex_replace(ctx, "a a a", "a", "b", count=2)["text"] == "b b a"


def test_datetime_arithmetic_and_formatting(ctx: Ctx) -> None:
    out = datetime_block(ctx, "2026-03-01 14:30", add="1d2h", format="%d.%m.%Y %H:%M")
    assert out["text"] == "02.03.2026 16:30" and out["weekday"] == "Monday" and out["weekday_number"] == 1
    assert out["iso"] == "2026-03-02T16:30:00" and out["week"] == 10
    ago = datetime_block(ctx, "today", subtract="30d", format="%Y-%m-%d")
    assert ago["text"] == (datetime.now() - timedelta(days=30)).strftime("%Y-%m-%d")
    assert datetime_block(ctx, "01.02.2026", input_format="%d.%m.%Y")["date"] == "2026-02-01"
    assert datetime_block(ctx, 0, format="%Y")["timestamp"] == 0
    with pytest.raises(StepError, match=r"value: 'next tuesday' is not a date and time"):
        datetime_block(ctx, "next tuesday")
    utc = datetime_block(ctx, "2026-07-01T12:00:00+00:00", timezone="Europe/Berlin", format="%H:%M %Z")
    assert utc["text"] == "14:00 CEST" and utc["iso"] == "2026-07-01T14:00:00+02:00"
    with pytest.raises(StepError, match=r"timezone: unknown time zone 'Mars/Olympus'"):
        datetime_block(ctx, "now", timezone="Mars/Olympus")
    with pytest.raises(StepError, match=r"add: expected a duration"):
        datetime_block(ctx, "now", add="a month")


def test_set_and_log(ctx: Ctx) -> None:
    assert set_vars(ctx, {"a": 1})["values"] == {"a": 1}
    with pytest.raises(StepError, match=r"'my var' cannot be a variable name"):
        set_vars(ctx, {"my var": 1})
    assert log_message(ctx, {"k": [1]})["message"] == '{"k": [1]}'
    assert ctx.logs[-1] == ("info", '{"k": [1]}')
    with pytest.raises(StepError, match=r"level: expected one of debug, info, warning, error; got 'loud'"):
        log_message(ctx, "x", level="loud")


def test_data_through_engine(tmp_path: Path) -> None:
    result = run_yaml(
        """flowdeck: 1
name: Data
steps:
  parse:
    do: json.parse
    with: {text: '{"items": [{"name": "pen", "price": 3}, {"name": "ink", "price": 9}]}'}
    next: pick
  pick:
    do: json.query
    with: {data: "{{ steps.parse.value }}", query: "items[?price > `5`].name | [0]"}
    next: when
  when:
    do: datetime
    with: {value: "2026-01-31", add: 1d, format: "%Y-%m-%d"}
    next: compose
  compose:
    do: text.template
    with:
      template: |
        {% for i in steps.parse.value["items"] %}{{ i.name }}={{ i.price }} {% endfor %}
        pick={{ steps.pick.result }} on {{ steps.when.text }}
      trim: true
    next: digits
  digits:
    do: regex.replace
    with: {text: "{{ steps.compose.text }}", pattern: '\\d', replacement: "#"}
""",
        tmp_path,
    )
    assert result.ok, result.error
    assert result.steps["compose"]["text"] == "pen=3 ink=9 \npick=ink on 2026-02-01"
    assert result.steps["digits"]["text"] == "pen=# ink=# \npick=ink on ####-##-##"
