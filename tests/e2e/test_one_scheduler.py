"""One scheduler per workspace: a second ``flowdeck daemon`` on a workspace that is already run refuses to arm it,
so every schedule fires once; a holder that died (even by SIGKILL) leaves nothing in the way."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.flows import tick
from tests.support.product import Product, wait_until


def _marks(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.mark.promise("triggers.md", "One scheduler per workspace")
def test_a_second_daemon_refuses_the_workspace_and_each_fire_runs_once(product: Product) -> None:
    """A second `flowdeck daemon` on a workspace that is already run does not arm it: it exits with code 1 and one
    line naming who runs it, and each fire of a schedule runs once."""
    marks = product.home / "marks.txt"
    product.write("tick.yaml", tick(marks, "{{ run.id }}"))
    with product.daemon() as first:
        assert first.wait_log("watching"), first.log
        with product.daemon() as second:
            assert second.proc.wait(20) == 1, second.log
        pid = first.proc.pid
        line = (
            f"the workspace ~/Documents/Flowdeck is run by flowdeck daemon (pid {pid}); "
            "quit it first, or use another folder"
        )
        assert line in second.log
        assert [entry for entry in second.log.splitlines() if "Traceback" in entry] == []
        assert line in product.daemon_log_file.read_text(encoding="utf-8")
        # a fire a second for 4 s: one scheduler writes about 4 lines, two would write about 8
        start_count, start = len(_marks(marks)), time.monotonic()
        assert wait_until(lambda: time.monotonic() - start >= 4.0, 10)
        written, elapsed = len(_marks(marks)) - start_count, time.monotonic() - start
        assert first.proc.poll() is None
    assert 2 <= written <= elapsed + 1.5, f"{written} lines in {elapsed:.1f} s"
    lines = _marks(marks)
    assert len(lines) == len(set(lines))  # one line per run
    runs = product.history_rows("SELECT COUNT(*) AS n FROM runs")[0]["n"]
    assert runs == len(lines), f"{runs} runs recorded, {len(lines)} lines written"


@pytest.mark.promise("triggers.md", "One scheduler per workspace")
def test_a_holder_killed_with_sigkill_leaves_the_workspace_free(product: Product) -> None:
    """The lock dies with its process: after `kill -9` of the daemon that ran the workspace, the next daemon arms it
    without a question."""
    marks = product.home / "marks.txt"
    product.write("tick.yaml", tick(marks, "{{ run.id }}"))
    with product.daemon() as first:
        assert first.wait_log("watching"), first.log
        first.kill()
    assert first.proc.returncode == -9
    before = len(_marks(marks))
    with product.daemon() as second:
        assert second.wait_log("watching"), second.log
        assert wait_until(lambda: len(_marks(marks)) >= before + 2, 20), second.log
        assert second.proc.poll() is None
        assert "is run by" not in second.log
