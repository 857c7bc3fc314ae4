"""The app as a broker's worker: its settings round trip, the Settings dialog's fields and checks, the tray's line,
and the node started on a thread against a real redis-server (tests/support/redis.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from gui.shell.broker_worker import BrokerWorker, config_of
from gui.shell.settings import Settings, load_settings, save_settings
from gui.shell.settings_dialog import SettingsDialog
from gui.shell.tray import Tray


def test_the_worker_settings_round_trip_and_clamp(tmp_path: Path) -> None:
    store = QSettings(str(tmp_path / "flowdeck.conf"), QSettings.Format.IniFormat)
    s = Settings(broker_worker=True, broker_url="redis://h:6379/0", broker_tags="office", broker_workers=2)
    save_settings(s, store)
    assert load_settings(store) == s
    store.setValue("broker_workers", 99)
    assert load_settings(store).broker_workers == 32


def test_the_dialog_edits_the_worker_fields_and_refuses_a_bad_url(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(Settings(workspace=str(tmp_path)))
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not dialog.broker_url.isEnabled()  # off: its fields wait
    dialog.broker_worker.setChecked(True)
    assert dialog.broker_url.isEnabled() and not save.isEnabled()
    assert "Give the broker's URL" in dialog.problem.text()
    dialog.broker_url.setText("http://h/0")
    assert (
        dialog.problem.text()
        == "Broker URL 'http://h/0': expected redis://HOST:PORT/DB (the Redis server runs the queue)"
    )
    dialog.broker_url.setText("redis://h:6379/0")
    dialog.broker_tags.setText("office, bad tag")
    assert dialog.problem.text() == "'bad tag' is not a tag (letters, digits, _ . -)"
    dialog.broker_tags.setText(" office ,windows")
    dialog.broker_workers.setValue(3)
    assert save.isEnabled()
    save.click()
    got = dialog.result_settings()
    assert (got.broker_worker, got.broker_url, got.broker_tags, got.broker_workers) == (
        True, "redis://h:6379/0", "office, windows", 3)  # fmt: skip
    assert config_of(got) == ("redis://h:6379/0", ("desktop", "office", "windows"), 3)
    assert config_of(got.with_(broker_worker=False)) is None


def test_the_tray_says_what_worker_the_app_is(qtbot: QtBot) -> None:
    tray = Tray()
    assert not tray.worker_action.isVisible()
    tray.set_worker("Worker worker@h for redis://h:6379/0 (1 at a time, tags: desktop)", "Worker worker@h for h:6379")
    assert tray.menu.actions()[0].text() == "Worker worker@h for h:6379" and tray.worker_action.isVisible()
    assert tray.icon.toolTip().endswith("tags: desktop)")
    tray.set_worker("")
    assert not tray.worker_action.isVisible() and "Worker" not in tray.icon.toolTip()


def test_the_node_connects_says_so_and_retries_a_broker_that_does_not_answer(qtbot: QtBot, redis_url: str) -> None:
    worker = BrokerWorker(host=None)
    said: list[str] = []
    lines: list[str] = []
    worker.changed.connect(lambda text, line: (said.append(text), lines.append(line)))
    try:
        worker.apply(Settings(broker_worker=True, broker_url="redis://127.0.0.1:1/0"))
        qtbot.waitUntil(lambda: bool(said), timeout=10_000)
        assert said[0].startswith("Worker for redis://127.0.0.1:1/0: the broker redis://127.0.0.1:1/0 cannot be "
                                  "reached: ") and said[0].endswith("trying again every 5 s"), said  # fmt: skip
        worker.apply(Settings(broker_worker=True, broker_url=redis_url, broker_workers=2))
        qtbot.waitUntil(lambda: said[-1].startswith("Worker worker"), timeout=20_000)
        assert said[-1].endswith(f"for {redis_url} (2 at a time, tags: desktop)"), said
        assert lines[0] == "Worker: 127.0.0.1:1 does not answer; trying again"
        assert lines[-1] == f"Worker {said[-1].split()[1]} for {redis_url.split('/')[2]}"
        worker.apply(Settings())
        assert said[-1] == ""
    finally:
        worker.stop(wait=True)


def test_an_app_that_is_no_worker_loads_nothing_of_the_broker() -> None:
    """The controller (with the worker's wiring) and the Settings dialog import neither Dramatiq nor the Redis
    client: start-up and idle stay as they were for an app that never turns the worker on."""
    import subprocess
    import sys

    names = "('dramatiq', 'redis', 'engine.distributed.worker')"
    code = ("import sys, gui.shell.controller, gui.shell.settings_dialog, gui.shell.broker_worker; "
            f"print(sorted(m for m in {names} if m in sys.modules))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
