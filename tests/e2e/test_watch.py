"""Watch triggers with the real daemon and real files: fires once per settled file, as docs/triggers.md says."""

from __future__ import annotations

import time

import pytest

from tests.support.product import Product, wait_until

WATCH = """flowdeck: 1
name: Inbox
triggers:
  - watch: {{path: "{folder}", pattern: "*.pdf", events: {events}, debounce: 0.5s}}
policy: {{overlap: queue}}
steps:
  note:
    do: file.write
    with: {{path: "{out}", content: "{{{{ trigger.event }}}} {{{{ trigger.name }}}}", append: true, newline: true}}
"""


def _armed(product: Product, events: str):
    folder = product.home / "inbox"
    folder.mkdir()
    out = product.home / "fired.txt"
    product.write("inbox.yaml", WATCH.format(folder=folder, events=events, out=out))
    return folder, out


def _fired(out) -> list[str]:
    return out.read_text().splitlines() if out.exists() else []


@pytest.mark.promise("triggers.md", "Watch")
@pytest.mark.parametrize("events", ["[created]", "[created, modified]", "[created, deleted]", "[created, moved]"])
def test_a_file_created_and_deleted_before_it_settled_fires_nothing(product: Product, events: str) -> None:
    """A file created and deleted before it settled fires nothing, whatever `events` lists; a file that stays fires
    once (`created`)."""
    folder, out = _armed(product, events)
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        time.sleep(0.3)  # the observer is running once the daemon logs "watching"; a little margin for inotify
        gone = folder / "gone.pdf"
        gone.write_bytes(b"%PDF-1.4 brief")
        gone.unlink()
        (folder / "kept.pdf").write_bytes(b"%PDF-1.4 kept")
        assert wait_until(lambda: _fired(out), 15), d.log
        time.sleep(1.0)  # a late fire for gone.pdf would come within one more debounce
    assert _fired(out) == ["created kept.pdf"], d.log


@pytest.mark.promise("triggers.md", "Watch")
def test_a_file_renamed_into_the_pattern_counts_as_created(product: Product) -> None:
    """A file renamed into the pattern (`report.pdf.part` → `report.pdf`, as browsers finish downloads) counts as
    `created` and fires once, when it settled."""
    folder, out = _armed(product, "[created]")
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        time.sleep(0.3)
        part = folder / "report.pdf.part"
        with part.open("wb") as f:
            for _ in range(5):
                f.write(b"x" * 1000)
                f.flush()
                time.sleep(0.1)
        part.rename(folder / "report.pdf")
        assert wait_until(lambda: _fired(out), 15), d.log
        time.sleep(1.0)
    assert _fired(out) == ["created report.pdf"], d.log


FIELDS = """flowdeck: 1
name: Fields
triggers:
  - watch: {{path: "{folder}", pattern: "{pattern}", events: {events}, recursive: {recursive}, debounce: 0.5s}}
policy: {{overlap: queue}}
steps:
  note:
    do: file.write
    with:
      path: "{out}"
      content: >-
        {{{{ trigger.event }}}}|{{{{ trigger.name }}}}|{{{{ trigger.path }}}}|{{{{ trigger.folder
        }}}}|{{{{ trigger.src_path | default('') }}}}
      append: true
      newline: true
"""


def _fields(product: Product, pattern: str, events: str = "[created]", recursive: str = "false"):
    folder = product.home / "watched"
    folder.mkdir()
    out = product.home / "fields.txt"
    product.write(
        "fields.yaml", FIELDS.format(folder=folder, pattern=pattern, events=events, recursive=recursive, out=out)
    )
    return folder, out


@pytest.mark.promise("triggers.md", "Watch")
def test_a_file_being_written_fires_once_when_it_settled(product: Product) -> None:
    """A file that is being written sends many events: the trigger fires once, when no event came for `debounce`
    and its size and modification time stopped changing; the run sees trigger.path, name, event and folder."""
    folder, out = _fields(product, "*.log")
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        time.sleep(0.3)
        target = folder / "big.log"
        with target.open("w") as f:
            for i in range(8):  # 8 writes over ~1.2 s, each within the debounce of the previous one
                f.write(f"line {i}\n")
                f.flush()
                time.sleep(0.15)
        assert wait_until(lambda: _fired(out), 15), d.log
        time.sleep(1.0)
    assert _fired(out) == [f"created|big.log|{target}|{folder}|"], d.log
    assert [r["status"] for r in product.history()] == ["succeeded"]


@pytest.mark.promise("triggers.md", "Watch")
def test_pattern_with_a_slash_matches_the_relative_path_in_sub_folders(product: Product) -> None:
    """`pattern` is matched against the path relative to `path` when it contains `/`, else against the file name;
    `recursive` watches sub-folders."""
    folder, out = _fields(product, "in/*.txt", recursive="true")
    (folder / "in").mkdir()
    (folder / "other").mkdir()
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        time.sleep(0.3)
        (folder / "other" / "no.txt").write_text("x")
        (folder / "no.txt").write_text("x")
        (folder / "in" / "yes.txt").write_text("x")
        assert wait_until(lambda: _fired(out), 15), d.log
        time.sleep(1.0)
    assert _fired(out) == [f"created|yes.txt|{folder / 'in' / 'yes.txt'}|{folder}|"]


@pytest.mark.promise("triggers.md", "Watch")
def test_a_move_gives_the_source_path(product: Product) -> None:
    """With `events: [moved]`, a rename within the pattern fires `moved`, and the run sees `trigger.src_path`."""
    folder, out = _fields(product, "*.csv", events="[moved]")
    (folder / "a.csv").write_text("1")
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        time.sleep(0.3)
        (folder / "a.csv").rename(folder / "b.csv")
        assert wait_until(lambda: _fired(out), 15), d.log
        time.sleep(1.0)
    assert _fired(out) == [f"moved|b.csv|{folder / 'b.csv'}|{folder}|{folder / 'a.csv'}"]


@pytest.mark.promise("triggers.md", "Watch")
def test_a_watched_folder_that_does_not_exist_is_reported(product: Product) -> None:
    """A watched folder that does not exist is reported in the log, and that trigger is not armed (the daemon goes
    on)."""
    missing = product.home / "nowhere"
    product.write("fields.yaml", FIELDS.format(folder=missing, pattern="*", events="[created]", recursive="false",
                                               out=product.home / "fields.txt"))  # fmt: skip
    with product.daemon() as d:
        assert d.wait_log("watching"), d.log
        assert f"fields.yaml: the watched folder {missing} does not exist; this watch trigger is not armed" in d.log
        missing.mkdir()
        (missing / "x").write_text("x")
        time.sleep(1.5)
        assert d.proc.poll() is None
    assert product.history() == []
