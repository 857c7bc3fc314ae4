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
