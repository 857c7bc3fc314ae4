"""Promises of docs/blocks.md for the data blocks, held by one real `flowdeck run --json` of many steps."""

from __future__ import annotations

import datetime

import pytest

from tests.e2e.flows import run_json
from tests.support.product import Product

DATA = """flowdeck: 1
name: Data
vars: {n: 3}
steps:
  parse:
    do: json.parse
    with: {text: '{"total": 42, "items": [{"name": "a", "price": 3}, {"name": "b", "price": 5}]}'}
    next: fmt
  fmt:
    do: json.format
    with: {value: {b: 1, a: [1, 2]}, indent: 0, sort_keys: true}
    next: fmt2
  fmt2:
    do: json.format
    with: {value: {x: 1}}
    next: query
  query:
    do: json.query
    with: {data: "{{ steps.parse.value }}", query: "items[?price > `4`].name"}
    next: query_text
  query_text:
    do: json.query
    with: {data: '{"total": 7, "items": [{"name": "z"}]}', query: "{total: total, first: items[0].name}"}
    next: query_none
  query_none:
    do: json.query
    with: {data: "{{ steps.parse.value }}", query: "nothing.here"}
    next: tpl
  tpl:
    do: text.template
    with:
      template: "  {% for i in steps.parse.value['items'] %}{{ i.name }}={{ i.price }};{% endfor %}\\nend  "
      trim: true
    next: m
  m:
    do: regex.match
    with: {text: "Total: 12 EUR, tax 3 EUR", pattern: '(?P<amount>\\d+) EUR'}
    next: mi
  mi:
    do: regex.match
    with: {text: "abc\\nDEF", pattern: '^def$', ignore_case: true, multiline: true}
    next: md
  md:
    do: regex.match
    with: {text: "a\\nb", pattern: 'a.b', dot_all: true}
    next: mn
  mn:
    do: regex.match
    with: {text: "none", pattern: '\\d+'}
    next: r
  r:
    do: regex.replace
    with: {text: "2026-12-02 and 2027-01-05", pattern: '(\\d+)-(\\d+)-(\\d+)', replacement: '\\3.\\2.\\1', count: 1}
    next: rn
  rn:
    do: regex.replace
    with: {text: "Jan Feb", pattern: '(?P<m>[a-z]+)', replacement: '<\\g<m>>', ignore_case: true}
    next: rd
  rd:
    do: regex.replace
    with: {text: "x 1 y 22", pattern: '\\d+'}
    next: cw
  cw:
    do: csv.write
    with: {path: out.csv, rows: [{name: a, price: 3}, {name: b, price: 5}]}
    next: ca
  ca:
    do: csv.write
    with: {path: out.csv, rows: {price: 7, name: c}, append: true}
    next: cr
  cr:
    do: csv.read
    with: {path: out.csv}
    next: cs
  cs:
    do: csv.write
    with: {path: semi.csv, rows: [[1, 2], [3, 4]], columns: [x, y], delimiter: ";"}
    next: crs
  crs:
    do: csv.read
    with: {path: semi.csv, delimiter: ";", header: false}
    next: dt
  dt:
    do: datetime
    with: {value: "2026-03-01 14:30", add: 1d, format: "%d.%m.%Y %H:%M"}
    next: dt2
  dt2:
    do: datetime
    with: {value: "01.03.2026", input_format: "%d.%m.%Y", subtract: 30d}
    next: dt3
  dt3:
    do: datetime
    with: {value: "2026-03-01T12:00:00+00:00", timezone: Europe/Berlin, format: "%H:%M"}
    next: bom
  bom:
    do: csv.read
    with: {path: excel.csv}
    next: stamp
  stamp:
    do: datetime
    with: {value: "86400", format: "%Y-%m-%d", timezone: UTC}
    next: today
  today:
    do: datetime
    with: {value: today}
    next: setv
  setv:
    do: set
    with: {values: {count: "{{ vars.n + 1 }}", label: "{{ vars.n }} files"}}
    next: after
  after:
    do: log
    with: {message: "count={{ vars.count }} label={{ vars.label }}"}
"""

# step -> what its output must hold (only these keys are compared), each the promise of a sentence of docs/blocks.md
EXPECTED = {
    "parse": {"value": {"total": 42, "items": [{"name": "a", "price": 3}, {"name": "b", "price": 5}]}},
    "fmt": {"text": '{"a": [1, 2], "b": 1}'},  # indent 0: one line; sort_keys
    "fmt2": {"text": '{\n  "x": 1\n}'},  # indent 2 by default
    "query": {"result": ["b"]},  # items[?price > `4`].name
    "query_text": {"result": {"total": 7, "first": "z"}},  # data may be JSON text; a reshaping query
    "query_none": {"result": None},  # null when nothing matched
    "tpl": {"text": "a=3;b=5;\nend", "lines": ["a=3;b=5;", "end"]},  # Jinja loops; trim
    "m": {"matched": True, "match": "12 EUR", "groups": ["12"], "named": {"amount": "12"}, "count": 2},
    "mi": {"matched": True, "match": "DEF"},  # ignore_case + multiline
    "md": {"matched": True, "match": "a\nb"},  # dot_all
    "mn": {"matched": False, "count": 0, "all": []},
    "r": {"text": "02.12.2026 and 2027-01-05", "replaced": 1},  # groups \\1, count
    "rn": {"text": "<Jan> <Feb>", "replaced": 2},  # \\g<name>, ignore_case
    "rd": {"text": "x  y ", "replaced": 2},  # an empty replacement removes the match
    "cw": {"written": 2, "columns": ["name", "price"]},
    "ca": {"written": 1, "columns": ["name", "price"]},  # appended in the file's column order, no second header
    "cr": {
        "rows": [{"name": "a", "price": "3"}, {"name": "b", "price": "5"}, {"name": "c", "price": "7"}],
        "columns": ["name", "price"],
        "count": 3,
    },
    "crs": {"rows": [["x", "y"], ["1", "2"], ["3", "4"]], "count": 3},  # without header: lists; delimiter ;
    "dt": {
        "text": "02.03.2026 14:30",
        "iso": "2026-03-02T14:30:00",
        "date": "2026-03-02",
        "time": "14:30:00",
        "year": 2026,
        "month": 3,
        "day": 2,
        "hour": 14,
        "minute": 30,
        "weekday": "Monday",
        "weekday_number": 1,
        "week": 10,
    },
    "dt2": {"date": "2026-01-30", "text": "2026-01-30 00:00"},  # input_format, subtract; the default format
    "dt3": {"text": "13:00", "iso": "2026-03-01T13:00:00+01:00"},  # timezone
    "bom": {"columns": ["name", "price"], "rows": [{"name": "ä", "price": "1"}]},  # utf-8-sig reads Excel's BOM
    "stamp": {"text": "1970-01-02"},  # a Unix timestamp
    "today": {"time": "00:00:00"},
    "setv": {"values": {"count": 4, "label": "3 files"}},
    "after": {"message": "count=4 label=3 files"},  # set values are read as vars
}


@pytest.mark.promise("blocks.md", "`json.parse` — Parse JSON")
@pytest.mark.promise("blocks.md", "`json.format` — Format JSON")
@pytest.mark.promise("blocks.md", "`json.query` — Query JSON")
@pytest.mark.promise("blocks.md", "`text.template` — Compose text")
@pytest.mark.promise("blocks.md", "`regex.match` — Find with regex")
@pytest.mark.promise("blocks.md", "`regex.replace` — Replace with regex")
@pytest.mark.promise("blocks.md", "`csv.read` — Read CSV")
@pytest.mark.promise("blocks.md", "`csv.write` — Write CSV")
@pytest.mark.promise("blocks.md", "`datetime` — Date & time")
@pytest.mark.promise("blocks.md", "`set` — Set variables")
def test_data_blocks_give_the_documented_outputs(product: Product) -> None:
    """The data blocks give the outputs their docs describe: parsed and formatted JSON, JMESPath results, composed
    text, regex matches and replacements, CSV rows written and read back, worked-out dates, variables set."""
    (product.workspace / "excel.csv").write_bytes("name,price\r\nä,1\r\n".encode("utf-8-sig"))
    done, record = run_json(product, "data.yaml", DATA)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stderr
    got = {step: {k: record["steps"][step].get(k) for k in want} for step, want in EXPECTED.items()}
    assert got == EXPECTED
    assert record["steps"]["today"]["date"] == datetime.date.today().isoformat()
    csv_file = product.workspace / "out.csv"
    assert csv_file.read_text(encoding="utf-8").splitlines() == ["name,price", "a,3", "b,5", "c,7"]
    assert record["steps"]["cw"]["path"] == str(csv_file)
    assert (product.workspace / "semi.csv").read_text(encoding="utf-8").splitlines() == ["x;y", "1;2", "3;4"]
