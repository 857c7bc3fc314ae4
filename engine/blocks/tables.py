"""CSV files: read rows (ragged rows are named by line), write or append rows keeping the file's columns."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from engine.blocks._common import must_exist, os_errors, resolve
from engine.blocks.files import append_bytes, prepare_parent
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

CATEGORY = "Data"


@block(
    "csv.read",
    title="Read CSV",
    category=CATEGORY,
    icon="csv",
    help="Read a CSV file into rows. With a header line each row is a mapping by column name "
    "({{ row.price }}); otherwise a list of values.",
    params=[
        Param("path", Kind.PATH, required=True, help="The CSV file."),
        Param("header", Kind.BOOL, default=True, help="The first line names the columns."),
        Param("delimiter", Kind.TEXT, default=",", help="The separator: , or ; or \\t for tab."),
        Param("encoding", Kind.TEXT, default="utf-8-sig", help="Text encoding (utf-8-sig also reads Excel's)."),
        Param("strict", Kind.BOOL, default=True, help="A row with too many or too few values is an error."),
    ],
    outputs=[Output("rows"), Output("columns", "the column names"), Output("count", "how many rows")],
)
def csv_read(
    ctx: StepContext,
    path: str,
    header: bool = True,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    strict: bool = True,
) -> dict[str, Any]:
    import csv

    file = resolve(ctx, path)
    must_exist(file)
    sep = _delimiter(delimiter)
    try:
        with os_errors(file), open(file, newline="", encoding=encoding) as fh:
            reader = csv.reader(fh, delimiter=sep)
            records = [(reader.line_num, r) for r in reader if r]
    except LookupError:
        raise StepError(f"encoding: unknown text encoding {encoding!r}", kind="value") from None
    except UnicodeDecodeError:
        raise StepError(f"{file} is not {encoding} text; set 'encoding' (e.g. latin-1)", kind="file") from None
    except csv.Error as exc:
        raise StepError(f"{file}: not readable as CSV ({exc})", kind="value") from None
    if not header:
        return {"rows": [r for _, r in records], "columns": [], "count": len(records)}
    if not records:
        return {"rows": [], "columns": [], "count": 0}
    columns = records[0][1]
    rows = []
    for line, values in records[1:]:
        if len(values) != len(columns):
            if strict:
                raise StepError(
                    f"{file.name} line {line} has {len(values)} values but the header has {len(columns)} columns "
                    f"({', '.join(columns)}); fix the file or turn off 'strict'",
                    kind="value",
                )
            values = (values + [""] * len(columns))[: len(columns)]
        rows.append(dict(zip(columns, values, strict=True)))
    return {"rows": rows, "columns": columns, "count": len(rows)}


@block(
    "csv.write",
    title="Write CSV",
    category=CATEGORY,
    icon="csv",
    help="Write rows to a CSV file, or add them to its end. When adding, the header is written only if the file "
    "is new or empty, and mappings are put in the file's existing column order.",
    params=[
        Param("path", Kind.PATH, required=True, help="The CSV file.", browse="save"),
        Param("rows", Kind.ANY, required=True, help="A list of rows (mappings or lists), or one mapping for one row."),
        Param("append", Kind.BOOL, default=False, help="Add the rows to the end instead of replacing the file."),
        Param("columns", Kind.LIST, default=[], help="Column names and their order (default: the rows' keys)."),
        Param("header", Kind.BOOL, default=True, help="Write a header line with the column names."),
        Param("delimiter", Kind.TEXT, default=",", help="The separator: , or ; or \\t for tab."),
    ],
    outputs=[Output("path"), Output("written", "rows written"), Output("columns")],
)
def csv_write(
    ctx: StepContext,
    path: str,
    rows: Any,
    append: bool = False,
    columns: list[Any] | None = None,
    header: bool = True,
    delimiter: str = ",",
) -> dict[str, Any]:
    file = resolve(ctx, path)
    sep = _delimiter(delimiter)
    items = _rows(rows)
    existing = _existing_header(file, sep) if append and header else None
    names = _columns(items, [str(c) for c in columns or []], existing, file)
    lines = _encode(items, names, sep, with_header=header and not existing)
    prepare_parent(file, True)
    with os_errors(file):
        if append:
            data = lines.encode("utf-8")
            if file.exists() and file.stat().st_size and not _ends_with_newline(file):
                data = b"\n" + data
            append_bytes(file, data)
        else:
            from engine.io import atomic_write

            atomic_write(file, lines.encode("utf-8"))
    return {"path": str(file), "written": len(items), "columns": names}


def _delimiter(value: str) -> str:
    sep = "\t" if value in ("\\t", "tab", "\t") else str(value)
    if len(sep) != 1:
        raise StepError(f"delimiter: expected one character such as , or ; got {value!r}", kind="value")
    return sep


def _rows(rows: Any) -> list[Any]:
    if isinstance(rows, dict):
        return [rows]
    if isinstance(rows, str):
        raise StepError("rows: expected a list of rows (from an expression like {{ steps.x.rows }}), got text", "value")
    if not isinstance(rows, list | tuple):
        raise StepError(f"rows: expected a list of rows, got {rows!r}", kind="value")
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict | list | tuple):
            raise StepError(f"rows: row {i} is {row!r}; each row must be a mapping or a list of values", "value")
    return list(rows)


def _existing_header(file: Path, sep: str) -> list[str] | None:
    import csv

    if not file.exists() or file.stat().st_size == 0:
        return None
    with os_errors(file), open(file, newline="", encoding="utf-8-sig") as fh:
        first = next(csv.reader(fh, delimiter=sep), None)
    return first or None


def _columns(items: list[Any], given: list[str], existing: list[str] | None, file: Path) -> list[str]:
    if existing and given and given != existing:
        raise StepError(
            f"columns {', '.join(given)} differ from the header of {file.name} ({', '.join(existing)}); "
            "adding would mix up the columns",
            kind="value",
        )
    names = existing or given
    if not names:
        for row in items:
            if isinstance(row, dict):
                names += [str(k) for k in row if str(k) not in names]
    for i, row in enumerate(items, 1):
        if isinstance(row, dict):
            extra = [str(k) for k in row if str(k) not in names]
            if extra:
                raise StepError(
                    f"row {i} has columns not in {'the file' if existing else 'columns'}: {', '.join(extra)} "
                    f"(known: {', '.join(names)})",
                    kind="value",
                )
        elif names and len(row) != len(names):
            raise StepError(f"row {i} has {len(row)} values but there are {len(names)} columns", kind="value")
    lists = [row for row in items if not isinstance(row, dict)]
    if not names and lists and len({len(r) for r in lists}) > 1:
        lengths = [len(r) for r in lists]
        bad = next(i for i, n in enumerate(lengths, 1) if n != lengths[0])
        raise StepError(f"row {bad} has {lengths[bad - 1]} values but row 1 has {lengths[0]}", kind="value")
    return names


def _encode(items: list[Any], names: list[str], sep: str, with_header: bool) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    if with_header and names:
        writer.writerow(names)
    for row in items:
        values = [row.get(n, "") for n in names] if isinstance(row, dict) else list(row)
        writer.writerow(["" if v is None else v for v in values])
    return out.getvalue()


def _ends_with_newline(file: Path) -> bool:
    with open(file, "rb") as fh:
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"
