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
