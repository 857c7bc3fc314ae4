"""The dashboard fed by the real scheduling service: workflows, triggers in words, switch, Run now, templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.shell.controller import AppController
from gui.shell.dashboard import LAST, NEXT, TRIGGERS
from gui.shell.settings import Settings
from gui.shell.templates import templates_folder
from tests.gui.shell.controllers import close_controller, free_port

DAILY = """flowdeck: 1
name: Morning note
triggers:
  - schedule: {cron: "0 8 * * *"}
steps:
  note:
    do: log
    with: {message: good morning}
"""


@pytest.fixture(autouse=True)
def _discard_on_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing the window at teardown must never wait on a real "Save changes?" box."""
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)


@pytest.fixture
def controller(qtbot: QtBot, qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # a history of its own: "never run" means never
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "morning.yaml").write_text(DAILY)
    (ws / "hello.yaml").write_bytes((templates_folder() / "hello.yaml").read_bytes())
    c = AppController(qapp, None, Settings(workspace=str(ws), webhook_port=free_port(), tray_hint_shown=True))
    c.start()
    qtbot.waitUntil(lambda: c.service is not None and len(c.dashboard.rows) == 2, timeout=20000)
    yield c
    close_controller(c)


def test_lists_workflows_with_triggers_and_next_run(controller: AppController) -> None:
    page = controller.dashboard
    assert [r.name for r in page.rows] == ["Hello Flowdeck", "Morning note"]
    morning = page.row_of(str(controller.settings.workspace_path / "morning.yaml"))
    assert "8" in page.table.item(morning, TRIGGERS).text()
    assert page.table.item(morning, NEXT).text() != "—"
    hello = page.row_of(str(controller.settings.workspace_path / "hello.yaml"))
    assert page.table.item(hello, TRIGGERS).text() == "only when run by hand"
    assert page.table.item(hello, LAST).text() == "never run"


def test_switch_turns_triggers_off(qtbot: QtBot, controller: AppController) -> None:
    page = controller.dashboard
    path = str(controller.settings.workspace_path / "morning.yaml")
    page.switch_at(page.row_of(path)).click()
    qtbot.waitUntil(lambda: not next(i for i in controller.service.workflows() if str(i.path) == path).enabled)
    qtbot.waitUntil(lambda: page.table.item(page.row_of(path), NEXT).text() == "—", timeout=5000)


def test_run_now_shows_the_result(qtbot: QtBot, controller: AppController) -> None:
    page = controller.dashboard
    path = str(controller.settings.workspace_path / "hello.yaml")
    page.button_at(page.row_of(path), "run").click()
    qtbot.waitUntil(lambda: page.table.item(page.row_of(path), LAST).text().startswith("succeeded"), timeout=20000)


def test_new_from_template_adds_a_workflow(qtbot: QtBot, controller: AppController) -> None:
    controller.new_from_template(str(templates_folder() / "hello.yaml"))
    added = controller.settings.workspace_path / "hello-2.yaml"
    assert added.read_bytes() == (templates_folder() / "hello.yaml").read_bytes()
    qtbot.waitUntil(lambda: controller.dashboard.row_of(str(added)) >= 0, timeout=20000)


class QuitRecorder:
    """Stands in for the application object's quit(), so the test process's QApplication lives on."""

    def __init__(self) -> None:
        self.calls = 0

    def quit(self) -> None:
        self.calls += 1


@pytest.mark.parametrize(("answer", "quits"), [(files_mod.CANCEL, False), (files_mod.SAVE, True)])
def test_quit_from_the_tray_asks_about_unsaved_edits(
    qtbot: QtBot, controller: AppController, monkeypatch: pytest.MonkeyPatch, answer: str, quits: bool
) -> None:
    path = controller.settings.workspace_path / "hello.yaml"
    assert controller.open_file(str(path))
    editor = controller.window.editor
    editor.document.set_workflow_field("name", "Hello again")
    controller.window.hide()  # closed to the tray, edits unsaved
    asked: list[bool] = []
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: asked.append(self.window().isVisible()) or answer)
    recorder = QuitRecorder()
    controller.app = recorder
    controller.quit()
    assert asked == [True], "asked once, with the window shown"
    assert ("Hello again" in path.read_text()) is quits
    if quits:
        qtbot.waitUntil(lambda: recorder.calls == 1, timeout=15000)
    else:
        assert not controller.quitting and controller.window.isVisible()


NOTIFIES = """flowdeck: 1
name: Tell me
steps:
  say:
    do: notify
    with: {title: Backup done, message: "{{ 2 + 2 }} files"}
"""


def test_a_notify_step_reaches_the_tray_as_a_message(
    qtbot: QtBot, controller: AppController, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(controller.tray.icon, "showMessage", lambda title, text, icon, ms: shown.append((title, text)))
    path = controller.settings.workspace_path / "tell.yaml"
    path.write_text(NOTIFIES)
    qtbot.waitUntil(lambda: any(i.path == path for i in controller.service.workflows()), timeout=20000)
    controller.run_now(str(path))
    qtbot.waitUntil(lambda: ("Backup done", "4 files") in shown, timeout=20000)


def test_rerun_runs_the_workflow_again_with_the_same_trigger(qtbot: QtBot, controller: AppController) -> None:
    path = str(controller.settings.workspace_path / "hello.yaml")
    controller.run_now(path)
    qtbot.waitUntil(lambda: len(controller.history.runs(workflow="Hello Flowdeck")) == 1, timeout=20000)
    first = controller.history.runs(workflow="Hello Flowdeck")[0]
    controller.rerun(first)
    qtbot.waitUntil(lambda: len(controller.history.runs(workflow="Hello Flowdeck")) == 2, timeout=20000)
    again = controller.history.runs(workflow="Hello Flowdeck")[0]
    assert again.run_id != first.run_id and again.source == "rerun"
    qtbot.waitUntil(lambda: controller.history.run(again.run_id).status == "succeeded", timeout=20000)


def test_a_new_workspace_in_settings_restarts_the_service_there(
    qtbot: QtBot, controller: AppController, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "tell.yaml").write_text(NOTIFIES)
    old_service = controller.service
    controller.apply_settings(controller.settings.with_(workspace=str(other)))
    assert controller.service is not old_service
    controller.show_window()
    qtbot.waitUntil(lambda: [r.name for r in controller.dashboard.rows] == ["Tell me"], timeout=20000)
    assert [i.name for i in controller.service.workflows()] == ["Tell me"]


SLOW_SKIP = """flowdeck: 1
name: Slow skip
policy: {overlap: skip}
steps:
  nap: {do: wait, with: {duration: 3s}}
"""


def test_run_now_while_it_runs_says_it_is_refused(
    qtbot: QtBot, controller: AppController, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(controller.tray.icon, "showMessage", lambda title, text, icon, ms: shown.append((title, text)))
    path = controller.settings.workspace_path / "slow.yaml"
    path.write_text(SLOW_SKIP)
    qtbot.waitUntil(lambda: any(i.path == path for i in controller.service.workflows()), timeout=20000)
    controller.run_now(str(path))
    qtbot.waitUntil(lambda: bool(controller.engine.active()), timeout=10000)
    controller.run_now(str(path))  # overlap: skip — the second is refused, and the person is told why
    assert shown and shown[-1][0] == "Cannot run workflow" and "slow.yaml" in shown[-1][1]


def test_pause_all_shows_the_switches_paused_until_resumed(qtbot: QtBot, controller: AppController) -> None:
    page = controller.dashboard
    path = str(controller.settings.workspace_path / "morning.yaml")
    controller.tray.pause_action.trigger()  # the tray menu's "Pause all"
    assert controller.service.paused
    switch = page.switch_at(page.row_of(path))
    assert switch.paused and switch.isChecked() and "Paused" in switch.toolTip()
    assert page.table.item(page.row_of(path), NEXT).text() == "paused"
    assert page.paused_bar.isVisible()
    controller.refresh()  # a workspace change re-reads the rows: they stay paused
    assert page.switch_at(page.row_of(path)).paused
    page.resume.click()
    assert not controller.service.paused and not page.paused_bar.isVisible()
    assert not page.switch_at(page.row_of(path)).paused
    assert page.table.item(page.row_of(path), NEXT).text() not in ("paused", "—")
