"""The startup trigger with the real daemon: its run is always recorded, even when the daemon is stopped at once."""

from __future__ import annotations

import pytest

from tests.support.product import Product, wait_until

STARTUP = "flowdeck: 1\nname: Boot\ntriggers:\n  - startup: {}\nsteps:\n  s:\n    do: log\n    with: {message: hi}\n"


@pytest.mark.promise("triggers.md", "Triggers and the scheduling service")
@pytest.mark.parametrize("when", ["as soon as it logs", "right after it armed"])
def test_a_startup_run_is_recorded_when_the_daemon_is_stopped_at_once(product: Product, when: str) -> None:
    """SIGTERM stops the daemon with exit code 0; a startup run it fired is in the history as succeeded or as
    cancelled by the stop (one that had not begun yet), never missing."""
    product.write("boot.yaml", STARTUP)
    with product.daemon() as d:
        if when == "as soon as it logs":  # its log file is opened first thing, before the service starts
            assert wait_until(product.daemon_log_file.exists, 20, interval=0.005)
        else:
            assert d.wait_log("watching")
        assert d.stop() == 0, d.log
    runs = product.history()
    assert [(r["workflow"], r["trigger"]["kind"]) for r in runs] == [("Boot", "startup")], d.log
    assert runs[0]["status"] in ("succeeded", "cancelled")


SLOW = """flowdeck: 1
name: Slow
triggers:
  - startup: {{}}
steps:
  pause:
    do: wait
    with: {{duration: 2s}}
    next: note
  note:
    do: file.write
    with: {{path: "{out}", content: "{version}"}}
"""


@pytest.mark.promise("triggers.md", "Triggers and the scheduling service")
def test_a_run_going_when_its_file_is_edited_finishes_with_its_version(product: Product) -> None:
    """A run already going when its file is edited finishes with the version it started with."""
    out = product.home / "version.txt"
    flow = product.write("slow.yaml", SLOW.format(out=out, version="v1"))
    with product.daemon() as d:
        assert wait_until(lambda: product.history_rows("SELECT 1 FROM runs WHERE status = 'running'"), 20), d.log
        flow.write_text(SLOW.format(out=out, version="v2"))
        assert d.wait_log("run finished: Slow", 20), d.log
        d.stop()
    assert out.read_text() == "v1"


LONG = """flowdeck: 1
name: Long
triggers:
  - startup: {}
steps:
  pause:
    do: wait
    with: {duration: 60s}
"""


@pytest.mark.promise("triggers.md", "Triggers and the scheduling service")
def test_sigterm_gives_runs_the_grace_then_cancels_them(product: Product) -> None:
    """SIGTERM stops the daemon: a run still going after `--grace` seconds is cancelled and recorded as
    `cancelled`, and the daemon exits with code 0."""
    product.write("long.yaml", LONG)
    with product.daemon("--grace", "0.5") as d:
        assert wait_until(lambda: product.history_rows("SELECT 1 FROM runs WHERE status = 'running'"), 20), d.log
        assert d.stop() == 0, d.log
    assert "stopping: running runs get 0.5 s to finish" in d.log
    assert [(r["workflow"], r["status"]) for r in product.history()] == [("Long", "cancelled")]
