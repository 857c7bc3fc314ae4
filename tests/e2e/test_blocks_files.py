"""Promises of docs/blocks.md for the files & folders blocks, held by one real `flowdeck run --json` of many steps."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest

from tests.e2e.flows import run_json
from tests.support.product import Product

FILES = """flowdeck: 1
name: Files
steps:
  w:
    do: file.write
    with: {path: out/notes.txt, content: "line1"}
    next: wa
  wa:
    do: file.write
    with: {path: out/notes.txt, content: "line2", append: true, newline: true}
    next: wj
  wj:
    do: file.write
    with: {path: out/data.json, content: "{{ {'a': [1, 2]} }}"}
    next: wb
  wb:
    do: file.write
    with: {path: out/bin.dat, content: "AAEC", binary: true}
    next: rd
  rd:
    do: file.read
    with: {path: out/notes.txt}
    next: rb
  rb:
    do: file.read
    with: {path: out/bin.dat, binary: true}
    next: info
  info:
    do: file.info
    with: {path: out/notes.txt, hash: sha256}
    next: infom
  infom:
    do: file.info
    with: {path: out/missing.txt, missing_ok: true}
    next: mk
  mk:
    do: folder.create
    with: {path: made/deeper}
    next: mk2
  mk2:
    do: folder.create
    with: {path: made/deeper}
    next: ls
  ls:
    do: file.list
    with: {folder: src, pattern: "*.txt", recursive: true}
    next: lsh
  lsh:
    do: file.list
    with: {folder: src, hidden: true, sort: size, descending: true, limit: 2}
    next: lsf
  lsf:
    do: file.list
    with: {folder: src, kind: folders}
    next: cp
  cp:
    do: file.copy
    with: {path: "{{ steps.ls.paths }}", to: copies/}
    next: cp2
  cp2:
    do: file.copy
    with: {path: src/a.txt, to: copies/, if_exists: rename}
    next: cp3
  cp3:
    do: file.copy
    with: {path: src/a.txt, to: copies/, if_exists: skip}
    next: cpd
  cpd:
    do: file.copy
    with: {path: src, to: tree}
    next: mv
  mv:
    do: file.move
    with: {path: copies/c.txt, to: moved/c-renamed.txt}
    next: zip
  zip:
    do: file.zip
    with: {path: src, to: packs/src.zip, hidden: false}
    next: unzip
  unzip:
    do: file.unzip
    with: {path: packs/src.zip, to: unpacked}
    next: del
  del:
    do: file.delete
    with: {path: "{{ ['copies/a.txt', 'moved/c-renamed.txt'] }}", permanent: true}
    next: delm
  delm:
    do: file.delete
    with: {path: nothing.txt, permanent: true, missing_ok: true}
"""


def _tree(root: Path) -> None:
    """src/ with a.txt (6 bytes), b.pdf (2), sub/c.txt (5) and .hidden (4)."""
    (root / "src" / "sub").mkdir(parents=True)
    (root / "src" / "a.txt").write_text("hello\n")
    (root / "src" / "b.pdf").write_text("xy")
    (root / "src" / "sub" / "c.txt").write_text("deep\n")
    (root / "src" / ".hidden").write_text("hid\n")


def _names(paths: list[str], root: Path) -> list[str]:
    return [Path(p).relative_to(root).as_posix() for p in paths]


@pytest.mark.promise("blocks.md", "`file.read` — Read file")
@pytest.mark.promise("blocks.md", "`file.write` — Write file")
@pytest.mark.promise("blocks.md", "`file.info` — File info")
@pytest.mark.promise("blocks.md", "`folder.create` — Make folder")
@pytest.mark.promise("blocks.md", "`file.delete` — Delete")
@pytest.mark.promise("blocks.md", "`file.copy` — Copy")
@pytest.mark.promise("blocks.md", "`file.move` — Move / rename")
@pytest.mark.promise("blocks.md", "`file.list` — List files")
@pytest.mark.promise("blocks.md", "`file.zip` — Zip")
@pytest.mark.promise("blocks.md", "`file.unzip` — Unzip")
def test_file_blocks_do_what_their_docs_say(product: Product) -> None:
    """The file blocks write, append, read (also binary as base64), describe, list, copy (rename, skip, folders),
    move, zip, unzip and delete files as their docs describe, relative to the workflow's folder."""
    root = product.workspace
    _tree(root)
    done, record = run_json(product, "files.yaml", FILES)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stderr
    s = record["steps"]
    # file.write: folders on the way are created; append + newline; mappings as JSON; base64 for binary
    assert (root / "out" / "notes.txt").read_bytes() == b"line1line2\n"
    assert (s["w"]["size"], s["wa"]["size"], s["w"]["path"]) == (5, 11, str(root / "out" / "notes.txt"))
    assert (root / "out" / "data.json").read_text() == '{"a": [1, 2]}'
    assert (root / "out" / "bin.dat").read_bytes() == bytes([0, 1, 2])
    # file.read
    assert (s["rd"]["content"], s["rd"]["lines"], s["rd"]["size"]) == ("line1line2\n", ["line1line2"], 11)
    assert (s["rb"]["content"], s["rb"]["size"]) == ("AAEC", 3)
    # file.info, with missing_ok
    info = s["info"]
    assert {k: info[k] for k in ("exists", "name", "stem", "suffix", "is_file", "is_folder", "size")} == {
        "exists": True, "name": "notes.txt", "stem": "notes", "suffix": ".txt", "is_file": True, "is_folder": False,
        "size": 11,
    }  # fmt: skip
    assert info["folder"] == str(root / "out")
    assert info["hash"] == "9c1e1b737b236da02794c8fb19dae101e271013eb0fdee9f9b1baf33898e5754"  # sha256 of the text
    assert info["modified"][:2] == "20" and 0 <= info["age"] < 60
    assert s["infom"]["exists"] is False
    # folder.create: an existing folder is fine
    assert (s["mk"]["created"], s["mk2"]["created"], (root / "made" / "deeper").is_dir()) == (True, False, True)
    # file.list: pattern + recursive; hidden, sort by size descending, limit; folders
    assert _names(s["ls"]["paths"], root) == ["src/a.txt", "src/sub/c.txt"]
    assert (s["ls"]["count"], [f["name"] for f in s["ls"]["files"]]) == (2, ["a.txt", "c.txt"])
    assert [(f["name"], f["size"]) for f in s["lsh"]["files"]] == [("a.txt", 6), (".hidden", 4)]
    assert _names(s["lsf"]["paths"], root) == ["src/sub"]
    # file.copy: a list (file.list's paths) into a folder; rename to a free name; skip; a folder with everything
    assert _names(s["cp"]["paths"], root) == ["copies/a.txt", "copies/c.txt"]
    assert _names(s["cp2"]["paths"], root) == ["copies/a (2).txt"]
    assert (s["cp3"]["count"], _names(s["cp3"]["skipped"], root)) == (0, ["src/a.txt"])
    assert sorted(p.relative_to(root / "tree").as_posix() for p in (root / "tree").rglob("*")) == [
        ".hidden", "a.txt", "b.pdf", "sub", "sub/c.txt",
    ]  # fmt: skip
    # file.move: the folders on the way are created
    assert (_names(s["mv"]["paths"], root), (root / "copies" / "c.txt").exists()) == (["moved/c-renamed.txt"], False)
    # file.zip without hidden files; file.unzip
    names = zipfile.ZipFile(root / "packs" / "src.zip").namelist()
    assert sorted(n for n in names if not n.endswith("/")) == ["src/a.txt", "src/b.pdf", "src/sub/c.txt"]
    assert _names(s["unzip"]["files"], root) == ["unpacked/src/a.txt", "unpacked/src/b.pdf", "unpacked/src/sub/c.txt"]
    assert (root / "unpacked" / "src" / "sub" / "c.txt").read_text() == "deep\n"
    # file.delete: a list, permanent; missing_ok
    assert _names(s["del"]["deleted"], root) == ["copies/a.txt", "moved/c-renamed.txt"]
    assert not (root / "copies" / "a.txt").exists() and (root / "copies" / "a (2).txt").exists()
    assert (s["delm"]["count"], s["delm"]["deleted"]) == (0, [])


LITERALS = """flowdeck: 1
name: Literal lists
steps:
  keep:
    do: file.write
    with: {path: data.json, content: {a: [1, 2]}}
    next: drop
  drop:
    do: file.delete
    with: {path: [data.json], permanent: true}
"""


@pytest.mark.promise("blocks.md", "`file.write` — Write file")
@pytest.mark.promise("blocks.md", "`file.delete` — Delete")
def test_lists_and_mappings_written_in_the_file_are_accepted(product: Product) -> None:
    """file.write writes a mapping given in the file as JSON, and file.delete takes a list of paths written in it."""
    done, record = run_json(product, "literal.yaml", LITERALS)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr


ZIP = """flowdeck: 1
name: Zip count
steps:
  zip:
    do: file.zip
    with: {path: src, to: src.zip}
"""


@pytest.mark.promise("blocks.md", "`file.zip` — Zip")
def test_zip_files_output_counts_files(product: Product) -> None:
    """file.zip's output `files` is how many files the zip holds (folders are not files)."""
    _tree(product.workspace)
    _, record = run_json(product, "zip.yaml", ZIP)
    assert record["steps"]["zip"]["files"] == 4  # a.txt, b.pdf, .hidden, sub/c.txt


REFUSALS = """flowdeck: 1
name: Refusals
steps:
  nomatch:
    do: regex.match
    with: {text: "abc", pattern: '\\d+', must_match: true}
    on_error: continue
    next: strict
  strict:
    do: csv.read
    with: {path: bad.csv}
    on_error: continue
    next: loose
  loose:
    do: csv.read
    with: {path: bad.csv, strict: false}
    next: evil
  evil:
    do: file.unzip
    with: {path: evil.zip, to: out}
    on_error: continue
    next: clash
  clash:
    do: file.unzip
    with: {path: good.zip, to: into}
    on_error: continue
    next: keep
  keep:
    do: file.unzip
    with: {path: good.zip, to: into, if_exists: skip}
    next: rezip
  rezip:
    do: file.zip
    with: {path: exists.txt, to: good.zip}
    on_error: continue
    next: copyfail
  copyfail:
    do: file.copy
    with: {path: exists.txt, to: into/a.txt}
    on_error: continue
    next: copyover
  copyover:
    do: file.copy
    with: {path: exists.txt, to: into/a.txt, if_exists: overwrite}
    next: nofile
  nofile:
    do: file.info
    with: {path: nothing.txt}
    on_error: continue
    next: nodelete
  nodelete:
    do: file.delete
    with: {path: nothing.txt}
    on_error: continue
    next: old
  old:
    do: file.list
    with: {folder: ages, older_than: 30d}
    next: recent
  recent:
    do: file.list
    with: {folder: ages, newer_than: 1h}
    next: sized
  sized:
    do: file.list
    with: {folder: ages, min_size: 100, max_size: 1KB, sort: modified}
    next: trash
  trash:
    do: file.delete
    with: {path: trashme.txt}
    next: badjson
  badjson:
    do: json.parse
    with: {text: "{not json"}
    on_error: continue
"""


def _refusal_files(root: Path) -> None:
    with zipfile.ZipFile(root / "evil.zip", "w") as z:
        z.writestr("ok.txt", "fine")
        z.writestr("../outside.txt", "bad")
    with zipfile.ZipFile(root / "good.zip", "w") as z:
        z.writestr("a.txt", "new a")
        z.writestr("b.txt", "new b")
    (root / "into").mkdir()
    (root / "into" / "b.txt").write_text("old b")
    (root / "bad.csv").write_text("a,b\n1,2\n3\n")
    (root / "exists.txt").write_text("keep")
    (root / "ages").mkdir()
    now = time.time()
    for name, size, age in (("old.log", 10, 40 * 86400), ("new.log", 2000, 60), ("mid.log", 500, 3 * 86400)):
        (root / "ages" / name).write_bytes(b"x" * size)
        os.utime(root / "ages" / name, (now - age, now - age))
    (root / "trashme.txt").write_text("bye")


@pytest.mark.promise("blocks.md", "`file.unzip` — Unzip")
@pytest.mark.promise("blocks.md", "`file.zip` — Zip")
@pytest.mark.promise("blocks.md", "`file.copy` — Copy")
@pytest.mark.promise("blocks.md", "`file.info` — File info")
@pytest.mark.promise("blocks.md", "`file.delete` — Delete")
@pytest.mark.promise("blocks.md", "`file.list` — List files")
@pytest.mark.promise("blocks.md", "`regex.match` — Find with regex")
@pytest.mark.promise("blocks.md", "`csv.read` — Read CSV")
def test_refusals_and_filters(product: Product) -> None:
    """Unzip refuses entries outside its folder and, by default, stops before unpacking anything when a file is
    there; zip and copy do not replace what exists unless told; a missing file is an error without missing_ok;
    delete moves to the trash by default; list filters by age and size; must_match and strict CSV fail the step."""
    root = product.workspace
    _refusal_files(root)
    done, record = run_json(product, "refusals.yaml", REFUSALS)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr
    s = record["steps"]
    errors = {step: s[step]["error"]["message"] for step in s if "error" in s[step]}
    assert errors == {
        "nomatch": "pattern '\\\\d+' was not found in the text",
        "strict": "bad.csv line 3 has 1 values but the header has 2 columns (a, b); fix the file or turn off 'strict'",
        "evil": f"the zip file contains '../outside.txt', which would be written outside {root / 'out'}; refused "
        "(nothing unpacked)",
        "clash": f"{root / 'into' / 'b.txt'} already exist; nothing was unpacked "
        "(set 'if_exists' to overwrite or skip)",
        "rezip": f"{root / 'good.zip'} already exists (turn on 'overwrite' to replace it)",
        "copyfail": f"{root / 'into' / 'a.txt'} already exists (set 'if_exists' to overwrite, rename or skip)",
        "nofile": f"file not found: {root / 'nothing.txt'}",
        "nodelete": f"file or folder not found: {root / 'nothing.txt'}",
        "badjson": "text: not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2 "
        "(near '{not json')",
    }
    assert not (root.parent / "outside.txt").exists() and not (root / "out" / "ok.txt").exists()
    assert (root / "into" / "b.txt").read_text() == "old b"  # skip kept it; the refused unpack wrote nothing
    assert _names(s["keep"]["files"], root) == ["into/a.txt"]
    assert (root / "into" / "a.txt").read_text() == "keep"  # then overwritten by the copy
    assert s["loose"]["rows"] == [{"a": "1", "b": "2"}, {"a": "3", "b": ""}]
    assert [f["name"] for f in s["old"]["files"]] == ["old.log"]
    assert [f["name"] for f in s["recent"]["files"]] == ["new.log"]
    assert [f["name"] for f in s["sized"]["files"]] == ["mid.log"]
    trash = product.data / "Trash"
    assert (trash / "files" / "trashme.txt").read_text() == "bye" and not (root / "trashme.txt").exists()
    assert (trash / "info" / "trashme.txt.trashinfo").is_file()


MOVE = """flowdeck: 1
name: Across
steps:
  move:
    do: file.move
    with: {path: "{{ vars.source }}", to: "{{ vars.target }}"}
"""


@pytest.mark.promise("blocks.md", "`file.move` — Move / rename")
def test_move_across_disks_copies_then_removes_the_original(product: Product) -> None:
    """Across disks file.move copies the file or folder, checks the copy, then removes the original."""
    import tempfile

    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == product.workspace.stat().st_dev:
        pytest.skip("needs a second file system (/dev/shm on Linux) to move across")
    source = product.workspace / "album"
    (source / "inner").mkdir(parents=True)
    (source / "one.jpg").write_bytes(os.urandom(300_000))
    (source / "inner" / "two.jpg").write_bytes(b"two")
    content = {p.relative_to(source): p.read_bytes() for p in source.rglob("*") if p.is_file()}
    with tempfile.TemporaryDirectory(dir=shm) as other:
        target = Path(other) / "album"
        done, record = run_json(product, "move.yaml", MOVE, "--var", f"source={source}", "--var", f"target={target}")
        assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr
        assert record["steps"]["move"]["paths"] == [str(target)]
        assert {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()} == content
        assert not source.exists()
