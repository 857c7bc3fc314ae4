"""Desktop triggers under `flowdeck daemon`: not armed, said in one line each, and the daemon goes on."""

from __future__ import annotations

import pytest

from tests.support.product import Product, wait_until

DESKTOP = """flowdeck: 1
name: Desk
triggers:
  - hotkey: {keys: ctrl+alt+r}
  - window: {app: firefox, title: "*Invoice*", on: [opened]}
  - clipboard: {match: "^https?://"}
  - session: {on: [unlock]}
  - device: {kind: usb, on: [added]}
  - schedule: {every: 1s}
steps:
  tick:
    do: file.write
    with: {path: ticks.txt, content: "tick", append: true, newline: true}
"""


@pytest.mark.promise("desktop.md", "Desktop triggers need the app")
def test_the_daemon_reports_each_desktop_trigger_as_not_armed_and_runs_the_rest(product: Product) -> None:
    """`flowdeck daemon` arms no desktop trigger (they need the person's desktop session): it writes one line for
    each, naming the file, the kind and what it would do, and keeps running the workflow's other triggers."""
    product.write("desk.yaml", DESKTOP.replace("  - schedule: {every: 1s}", "  - schedule: {every: 1s}"))
    with product.daemon() as daemon:
        assert daemon.wait_log("watching"), daemon.log
        assert wait_until(lambda: (product.workspace / "ticks.txt").is_file(), 20), daemon.log
        lines = [line for line in daemon.log.splitlines() if "is not armed" in line]
        assert len(lines) == 5, daemon.log
        for kind, words in [
            ("hotkey", "when ctrl+alt+r is pressed"),
            ("window", "when a firefox '*Invoice*' window is opened"),
            ("clipboard", "when text is copied that matches ^https?://"),
            ("session", "on session unlock"),
            ("device", "when a usb device is added"),
        ]:
            assert any(f"desk.yaml: the {kind} trigger ({words}) is not armed" in line for line in lines), lines
        assert "Traceback" not in daemon.log
        assert daemon.proc.poll() is None
