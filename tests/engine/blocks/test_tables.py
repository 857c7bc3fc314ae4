"""CSV read/write on real files: header handling on append, column order, ragged rows named by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.blocks.tables import csv_read, csv_write
from engine.errors import StepError
from tests.engine.blocks.conftest import Ctx, run_yaml


def test_write_then_append_writes_header_once_and_keeps_order(ctx: Ctx, tmp_path: Path) -> None:
    csv_write(ctx, "out/sales.csv", [{"date": "d1", "total": 1, "region": "N"}], append=True)
    csv_write(ctx, "out/sales.csv", [{"region": "S", "total": 2, "date": "d2"}, {"date": "d3"}], append=True)
    assert (tmp_path / "out" / "sales.csv").read_text() == "date,total,region\nd1,1,N\nd2,2,S\nd3,,\n"
    back = csv_read(ctx, "out/sales.csv")
    assert back["columns"] == ["date", "total", "region"] and back["count"] == 3
    assert back["rows"][1] == {"date": "d2", "total": "2", "region": "S"}


def test_append_to_empty_file_and_file_without_final_newline(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    csv_write(ctx, "empty.csv", {"a": 1}, append=True)
    assert (tmp_path / "empty.csv").read_text() == "a\n1\n"
    (tmp_path / "raw.csv").write_text("a,b\n1,2")
    csv_write(ctx, "raw.csv", [[3, 4]], append=True)
    assert (tmp_path / "raw.csv").read_text() == "a,b\n1,2\n3,4\n"


def test_append_refuses_columns_the_file_does_not_have(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("a,b\n1,2\n")
    with pytest.raises(StepError, match=r"row 1 has columns not in the file: c \(known: a, b\)"):
        csv_write(ctx, "t.csv", [{"a": 1, "c": 3}], append=True)
    with pytest.raises(StepError, match=r"columns a, c differ from the header of t.csv \(a, b\)"):
        csv_write(ctx, "t.csv", [[1, 2]], append=True, columns=["a", "c"])
    with pytest.raises(StepError, match=r"row 2 has 3 values but there are 2 columns"):
        csv_write(ctx, "t.csv", [[1, 2], [1, 2, 3]], append=True)
    assert (tmp_path / "t.csv").read_text() == "a,b\n1,2\n"  # nothing half-written


def test_overwrite_with_columns_and_delimiter(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("old content\n")
    csv_write(ctx, "t.csv", [{"x": "a;b", "y": None}], columns=["y", "x"], delimiter=";")
    assert (tmp_path / "t.csv").read_text() == 'y;x\n;"a;b"\n'
    assert csv_read(ctx, "t.csv", delimiter=";")["rows"] == [{"y": "", "x": "a;b"}]


def test_ragged_rows_are_named_by_line(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("name,price,qty\npen,3,1\n\nink,9\n")
    with pytest.raises(StepError, match=r"r.csv line 4 has 2 values but the header has 3 columns \(name, price, qty\)"):
        csv_read(ctx, "r.csv")
    lenient = csv_read(ctx, "r.csv", strict=False)
    assert lenient["rows"][1] == {"name": "ink", "price": "9", "qty": ""}
    with pytest.raises(StepError, match=r"row 2 has 1 values but row 1 has 2"):
        csv_write(ctx, "new.csv", [[1, 2], [3]])
    assert not (tmp_path / "new.csv").exists()


def test_read_without_header_and_bad_input(ctx: Ctx, tmp_path: Path) -> None:
    (tmp_path / "n.csv").write_text("1,2\n3,4\n")
    assert csv_read(ctx, "n.csv", header=False)["rows"] == [["1", "2"], ["3", "4"]]
    with pytest.raises(StepError, match=r"file not found"):
        csv_read(ctx, "missing.csv")
    with pytest.raises(StepError, match=r"rows: expected a list of rows"):
        csv_write(ctx, "x.csv", "a,b")
    with pytest.raises(StepError, match=r"delimiter: expected one character"):
        csv_read(ctx, "n.csv", delimiter=";;")


def test_report_to_csv_through_engine(tmp_path: Path) -> None:
    result = run_yaml(
        """flowdeck: 1
name: CSV
steps:
  row:
    do: csv.write
    with:
      path: report.csv
      append: true
      rows: [{day: "{{ now | date }}", total: 42}]
    next: again
  again:
    do: csv.write
    with: {path: report.csv, append: true, rows: [{total: 7, day: x}]}
    next: read
  read:
    do: csv.read
    with: {path: report.csv}
""",
        tmp_path,
    )
    assert result.ok, result.error
    assert result.steps["read"]["columns"] == ["day", "total"]
    assert [r["total"] for r in result.steps["read"]["rows"]] == ["42", "7"]
