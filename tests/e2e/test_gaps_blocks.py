"""Promises of docs/blocks.md not held elsewhere: for_each's concurrency, a download cut off mid-stream, and file
names with non-ASCII characters, each held by a real `flowdeck run --json`."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.e2e.flows import run_json
from tests.support.product import Product
from tests.support.servers import LocalHTTPServer, http_server  # noqa: F401  (fixtures)

# Each item marks itself in running/, waits for a partner (or for no one left to come), watches how many run for a
# short hold, then moves its mark to done/ and returns the most it saw running at once.
CONCURRENT = """flowdeck: 1
name: Concurrent
steps:
  each:
    do: for_each
    with: {{items: "{{{{ range({items}) | list }}}}", concurrency: {concurrency}}}
    next: {{body: item}}
  item:
    do: python.run
    with:
      inputs: {{dir: "{dir}", total: {items}}}
      code: |
        import pathlib, time
        base = pathlib.Path(inputs["dir"])
        running, done = base / "running", base / "done"
        me = running / str(loop["index"])
        me.touch()
        seen = 0
        def count():
            return len(list(running.iterdir()))
        end = time.monotonic() + 10
        while time.monotonic() < end:
            seen = max(seen, count())
            if seen >= {concurrency} or count() + len(list(done.iterdir())) >= inputs["total"]:
                break
            time.sleep(0.01)
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            seen = max(seen, count())
            time.sleep(0.01)
        me.rename(done / me.name)
        result = seen
"""


def _concurrent(product: Product, items: int, concurrency: int) -> list[int]:
    base = product.home / "marks"
    (base / "running").mkdir(parents=True)
    (base / "done").mkdir()
    text = CONCURRENT.format(items=items, concurrency=concurrency, dir=base)
    done, record = run_json(product, "concurrent.yaml", text)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr
    assert record["steps"]["each"]["count"] == items
    assert sorted(p.name for p in (base / "done").iterdir()) == sorted(str(i) for i in range(items))
    return record["steps"]["each"]["results"]


@pytest.mark.promise("blocks.md", "`for_each` — For each")
@pytest.mark.parametrize("concurrency", [1, 3])
def test_for_each_runs_concurrency_items_at_once_and_no_more(product: Product, concurrency: int) -> None:
    """for_each's `concurrency` is how many items run at once: with N, N items are seen running together, never
    more (each item counts the items running beside it)."""
    results = _concurrent(product, 7, concurrency)
    seen = [r["result"] if isinstance(r, dict) else r for r in results]
    assert max(seen) == concurrency, seen
    assert all(1 <= s <= concurrency for s in seen), seen


CUT = """flowdeck: 1
name: Cut
steps:
  dl:
    do: http.download
    with: {{url: "{base}/cut?bytes=100000&sent=40000", to: "{to}", timeout: 5s}}
"""


@pytest.mark.promise("blocks.md", "`http.download` — Download")
def test_a_download_cut_off_fails_and_never_replaces_a_good_file(
    product: Product,
    http_server: LocalHTTPServer,  # noqa: F811
) -> None:
    """A download cut off mid-stream (fewer bytes than the server announced) fails the step; the file is written
    under a temporary name and put in place only when complete, so no partial file is left and a good file that
    was there stays as it was."""
    folder = product.home / "downloads"
    folder.mkdir()
    good = folder / "good.bin"
    good.write_bytes(b"the good copy")
    for target in (good, folder / "new.bin"):
        done, record = run_json(product, "cut.yaml", CUT.format(base=http_server.url, to=target))
        assert done.returncode != 0, record
        error = record["error"]
        assert (record["status"], error["step"], error["kind"]) == ("failed", "dl", "http"), record
        assert "received 40000 bytes, expected 100000" in error["message"], error
    assert good.read_bytes() == b"the good copy"
    assert sorted(p.name for p in folder.iterdir()) == ["good.bin"]


NAMES = """flowdeck: 1
name: Names
steps:
  w:
    do: file.write
    with: {path: "Grüße 日本/über ü.txt", content: "ünïcödé 日本語"}
    next: r
  r:
    do: file.read
    with: {path: "Grüße 日本/über ü.txt"}
    next: cp
  cp:
    do: file.copy
    with: {path: "Grüße 日本/über ü.txt", to: "Kopie ß/"}
    next: ls
  ls:
    do: file.list
    with: {folder: "Grüße 日本", pattern: "*ü*"}
    next: zip
  zip:
    do: file.zip
    with: {path: "Grüße 日本", to: "pack 日本.zip"}
    next: unzip
  unzip:
    do: file.unzip
    with: {path: "pack 日本.zip", to: "aus gepackt"}
"""


@pytest.mark.promise("blocks.md", "`file.read` — Read file")
@pytest.mark.promise("blocks.md", "`file.write` — Write file")
@pytest.mark.promise("blocks.md", "`file.copy` — Copy")
@pytest.mark.promise("blocks.md", "`file.list` — List files")
@pytest.mark.promise("blocks.md", "`file.zip` — Zip")
@pytest.mark.promise("blocks.md", "`file.unzip` — Unzip")
def test_non_ascii_file_names_stay_intact(product: Product) -> None:
    """File names with non-ASCII characters and spaces (ü, ß, 日本) are written, read, copied, listed, zipped and
    unzipped with their names and content intact."""
    root = product.workspace
    done, record = run_json(product, "names.yaml", NAMES)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr
    s = record["steps"]
    src = root / "Grüße 日本" / "über ü.txt"
    assert src.read_text(encoding="utf-8") == "ünïcödé 日本語"
    assert s["r"]["content"] == "ünïcödé 日本語"
    assert (root / "Kopie ß" / "über ü.txt").read_text(encoding="utf-8") == "ünïcödé 日本語"
    assert [Path(p).name for p in s["ls"]["paths"]] == ["über ü.txt"]
    names = zipfile.ZipFile(root / "pack 日本.zip").namelist()
    assert [n for n in names if not n.endswith("/")] == ["Grüße 日本/über ü.txt"]
    back = root / "aus gepackt" / "Grüße 日本" / "über ü.txt"
    assert back.read_text(encoding="utf-8") == "ünïcödé 日本語"
    assert [Path(p).relative_to(root).as_posix() for p in s["unzip"]["files"]] == ["aus gepackt/Grüße 日本/über ü.txt"]
