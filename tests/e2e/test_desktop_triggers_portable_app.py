"""The session idle and device network triggers armed by the real app (python -m gui on Xvfb with openbox and
trayer) the way Windows and macOS arm them (FLOWDECK_PORTABLE_TRIGGERS=1: polling the idle time and psutil). The
app runs in a network namespace of the test's own, where the test makes and removes interfaces for real."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import started
from tests.support.desk import TRIGGERED_FLOW, Desk, desk_display, tray_on_desk  # noqa: F401
from tests.support.netns import in_netns, ip
from tests.support.product import Product, wait_until

pytestmark = pytest.mark.xdisplay


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.mark.promise("desktop.md", "Windows and macOS")
def test_the_app_arms_idle_and_network_as_on_windows_and_macos_and_their_runs_are_in_the_history(
    tray_on_desk: Desk,  # noqa: F811 (a fixture)
    product: Product,
    tmp_path: Path,
) -> None:
    """With nobody touching the keyboard or mouse for 2 s the idle workflow runs once, and once more after a key
    press and 2 s more; a pair of network interfaces added, an address given to one, and the pair removed run the
    network workflow for each, naming the interface. Every run is in the history as succeeded, and nothing is
    reported as not armed."""
    idle, net = tmp_path / "idle.txt", tmp_path / "net.txt"
    flows = {
        "idle": ("session: {on: [idle], idle: 2s}", "{{ trigger.kind }} {{ trigger.event }}", idle),
        "net": ("device: {kind: network}", "{{ trigger.event }} {{ trigger.name }}", net),
    }
    for name, (trigger, line, out) in flows.items():
        product.write(f"{name}.yaml", TRIGGERED_FLOW.format(name=name, trigger=trigger, line=line, out=out))
    app = started(tray_on_desk.x, product, command=in_netns([sys.executable, "-m", "gui"]),
                  env={"FLOWDECK_PORTABLE_TRIGGERS": "1"})  # fmt: skip
    try:
        app.xdo("key", "shift")
        assert wait_until(lambda: lines(idle) == ["session idle"], 15), lines(idle)
        time.sleep(1.5)
        assert lines(idle) == ["session idle"]  # still idle: once
        app.xdo("key", "shift")
        assert wait_until(lambda: len(lines(idle)) == 2, 15), lines(idle)
        ip(app.proc.pid, "link", "add", "fd0", "type", "veth", "peer", "name", "fd1")
        assert wait_until(lambda: len(lines(net)) == 2, 15), lines(net)
        ip(app.proc.pid, "addr", "add", "127.0.0.9/8", "dev", "lo")
        assert wait_until(lambda: len(lines(net)) == 3, 15), lines(net)
        ip(app.proc.pid, "link", "del", "fd0")
        assert wait_until(lambda: len(lines(net)) == 5, 15), lines(net)
        got = lines(net)  # the two runs of one look run side by side (overlap: parallel): either may write first
        assert (sorted(got[:2]), got[2], sorted(got[3:])) == (
            ["added fd0", "added fd1"], "changed lo", ["removed fd0", "removed fd1"])  # fmt: skip
        history = {n: [r["status"] for r in product.history(n)] for n in ("idle", "net")}
        assert history == {"idle": ["succeeded"] * 2, "net": ["succeeded"] * 5}
        assert "not armed" not in app.log_text()
    finally:
        app.stop()
