"""Loading one file can never stop the service: a file whose loading raises is invalid with one line, the others
keep firing and later files are still read; a file that takes long to read does not hold up the fires of others."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.plugins import install_plugin, plugin_env
from tests.support.product import Product, wait_until

TICK = """flowdeck: 1
name: {name}
triggers:
  - schedule: {{every: 1s}}
steps:
  mark:
    do: file.write
    with: {{path: "{marks}", content: tick, append: true, newline: true}}
"""
GATE = """flowdeck: 1
name: Gate
steps:
  check:
    do: gate.pass
    with: {{value: "{value}"}}
"""


def _count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def _line_naming(log: str, *words: str) -> bool:
    """Whether one line of ``log`` holds all of ``words`` (the file and its error on one line)."""
    return any(all(w in line for w in words) for line in log.splitlines())


def _env(product: Product) -> dict[str, str]:
    return plugin_env(product.env["PYTHONPATH"], install_plugin(product.home.parent / "plugins"))


@pytest.mark.promise("triggers.md", "A file that cannot be loaded")
def test_a_file_whose_loading_raises_is_invalid_and_the_service_goes_on(product: Product) -> None:
    """A file whose loading raises (here a third-party block's check) is marked invalid with one line naming the
    file and the error; the daemon starts anyway, the other workflows fire, and files dropped in later are read."""
    ticks, later = product.home / "ticks.txt", product.home / "later.txt"
    product.write("tick.yaml", TICK.format(name="Tick", marks=ticks))
    product.write("boom.yaml", GATE.format(value="boom"))
    env = _env(product)
    with product.daemon(env=env) as daemon:
        assert wait_until(lambda: _line_naming(daemon.log, "boom.yaml", "the gate plugin blew up"), 20), daemon.log
        assert "boom.yaml: could not be loaded: RuntimeError: the gate plugin blew up" in daemon.log
        assert wait_until(lambda: _count(ticks) >= 2, 20), daemon.log
        product.write("boom2.yaml", GATE.format(value="boom"))
        product.write("later.yaml", TICK.format(name="Later", marks=later))
        assert daemon.wait_log("boom2.yaml: could not be loaded"), daemon.log
        assert wait_until(lambda: _count(later) >= 2, 20), daemon.log
        assert daemon.proc.poll() is None
        assert "Traceback" not in daemon.log
    status = product.run("status", env=env)
    assert "boom.yaml  [invalid]" in status.stdout, status.stdout


@pytest.mark.promise("triggers.md", "A file that cannot be loaded")
def test_a_slow_file_does_not_hold_up_the_fires_of_the_others(product: Product) -> None:
    """Files are read and compiled outside the service's lock: while one file takes long to load, the schedules of
    the others keep firing; the slow one is armed once it is read."""
    ticks, gate = product.home / "ticks.txt", product.home / "gate"
    product.write("tick.yaml", TICK.format(name="Tick", marks=ticks))
    with product.daemon(env=_env(product)) as daemon:
        assert wait_until(lambda: _count(ticks) >= 1, 20), daemon.log
        product.write("slow.yaml", GATE.format(value=f"wait:{gate}"))
        assert wait_until(lambda: Path(f"{gate}.reading").exists(), 20), daemon.log
        during = _count(ticks)
        fired = wait_until(lambda: _count(ticks) >= during + 3, 15)
        still_reading = not gate.exists()
        gate.touch()
        assert fired, f"{_count(ticks) - during} fires while slow.yaml was read\n{daemon.log}"
        assert still_reading
        assert daemon.proc.poll() is None
