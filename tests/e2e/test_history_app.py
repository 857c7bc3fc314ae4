"""The app (a real process on a real X display) with its data folder read-only: it keeps running runs, says once
why they are not recorded, and records them once the folder can be written again."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.gui.shell.app_process import App, Home
from tests.support.mounts import set_read_only, tiny_disk
from tests.support.product import wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

TICK = """flowdeck: 1
name: Tick
triggers:
  - schedule: {{every: 1s}}
steps:
  write:
    do: file.write
    with: {{path: "{out}/{{{{ run.id }}}}.txt", content: "ran"}}
"""


def _recorded(path: Path) -> set[str]:
    if not path.exists():
        return set()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return {r[0] for r in db.execute("SELECT run_id FROM runs")}
    except sqlite3.OperationalError:
        return set()
    finally:
        db.close()


@pytest.mark.promise("runtime.md", "Run history under faults")
def test_the_app_with_a_read_only_data_folder_runs_on_and_records_later(
    xdisplay: XDisplay, tray_host: subprocess.Popen, tmp_path: Path
) -> None:
    """The app goes on running runs when its history cannot be written, the log says why in one line, and the runs
    are recorded once the folder can be written again (nothing is moved aside)."""
    home = Home(tmp_path / "home")
    out = tmp_path / "out"
    (home.workspace / "tick.yaml").write_text(TICK.format(out=out))
    with tiny_disk(home.root / "data" / "flowdeck", "8m") as data:
        set_read_only(data)
        app = App(xdisplay, home)
        try:
            app.main_window()
            app.wait_log("service started")
            assert wait_until(lambda: len(list(out.glob("*.txt"))) >= 2, 30), app.log_text()
            assert app.proc.poll() is None
            assert app.log_text().count("the run history cannot be written: its folder is read-only") == 1
            set_read_only(data, False)
            app.wait_log("the run history is written again")
            written = {p.stem for p in out.glob("*.txt")}
            assert wait_until(lambda: written <= _recorded(data / "history.sqlite3"), 20)
        finally:
            app.stop()
        assert not list(data.glob("*.corrupt-*"))
