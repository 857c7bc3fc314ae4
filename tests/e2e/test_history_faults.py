"""The run history under real faults, with the real daemon: a data folder on a tiny disk that fills up, and one
that is read-only (tmpfs mounts: tests/support/mounts.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.mounts import fill, set_read_only, tiny_disk
from tests.support.product import Product, wait_until

TICK = """flowdeck: 1
name: Tick
triggers:
  - schedule: {{every: 1s}}
steps:
  write:
    do: file.write
    with: {{path: "{out}/{{{{ run.id }}}}.txt", content: "ran"}}
"""


def _written(out: Path) -> set[str]:
    return {p.stem for p in out.glob("*.txt")}


def _recorded(product: Product) -> dict[str, str]:
    return {r["run_id"]: r["status"] for r in product.history_rows("SELECT run_id, status FROM runs")}


@pytest.mark.promise("runtime.md", "Run history under faults")
def test_daemon_on_a_full_disk_runs_on_and_records_again_once_there_is_room(product: Product, tmp_path: Path) -> None:
    """A full disk is reported once as a full disk (not as damage, nothing moved aside), the daemon goes on running
    runs, and once there is room again every run is recorded, those of the outage included."""
    out = tmp_path / "out"
    product.write("tick.yaml", TICK.format(out=out))
    with tiny_disk(product.data / "flowdeck", "512k") as data:
        assert product.run("history").returncode == 0  # the history exists, as after earlier use
        filler = fill(data)
        with product.daemon() as daemon:
            assert wait_until(lambda: len(_written(out)) >= 3, 30), daemon.log
            assert daemon.proc.poll() is None
            line = "the run history cannot be written: the disk is full"
            assert daemon.log.count(line) == 1, daemon.log
            assert f"({product.history_file}); runs go on unrecorded until there is room" in daemon.log
            assert "Traceback" not in daemon.log
            filler.unlink()
            assert daemon.wait_log("the run history is written again", 20), daemon.log
            assert wait_until(lambda: len(_written(out)) >= 6, 30)
            assert daemon.stop() == 0
        runs = _recorded(product)
        assert _written(out) <= set(runs), "every run that wrote its file is in the history"
        assert set(runs.values()) == {"succeeded"}
        assert daemon.log.count(line) == 1
        assert not list(data.glob("*.corrupt-*"))


@pytest.mark.promise("runtime.md", "Run history under faults")
def test_daemon_with_a_read_only_data_folder_says_so_and_records_once_it_can(product: Product, tmp_path: Path) -> None:
    """A read-only data folder is said to be read-only (not damaged), the daemon keeps running runs, the history
    still reads, and once the folder can be written the runs are recorded."""
    out = tmp_path / "out"
    before = product.write("once.yaml", "flowdeck: 1\nname: Once\nsteps:\n  a: {do: log, with: {message: hi}}\n")
    with tiny_disk(product.data / "flowdeck", "8m") as data:
        assert product.run("run", str(before)).returncode == 0
        product.write("tick.yaml", TICK.format(out=out))
        set_read_only(data)
        with product.daemon() as daemon:
            assert wait_until(lambda: len(_written(out)) >= 2, 30), daemon.log
            assert daemon.log.count("the run history cannot be written: its folder is read-only") == 1, daemon.log
            assert "damaged" not in daemon.log and "Traceback" not in daemon.log
            listed = product.run("history")
            assert listed.returncode == 0 and "Once" in listed.stdout, listed.stderr
            assert "its folder is read-only" in listed.stderr
            set_read_only(data, False)
            assert daemon.wait_log("the run history is written again", 20), daemon.log
            assert daemon.stop() == 0
        runs = _recorded(product)
        assert _written(out) <= set(runs)
        assert not list(data.glob("*.corrupt-*"))
