"""Triggers the app could not arm, in the window: the banner over the pages, the Workflows page's row and the
editor's trigger card, fed by the real scheduling service (no DISPLAY here: a hotkey cannot be armed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from engine.model.workflow import Trigger
from engine.scheduling.desktop_arm import NotArmed
from gui.editor import EditorPage
from gui.editor import files as files_mod
from gui.inspector.not_armed import NOTES
from gui.inspector.triggers import TriggerCard
from gui.shell import window as win
from gui.shell.banner import warning_colours
from gui.shell.controller import AppController
from gui.shell.dashboard import NEXT, TRIGGERS
from gui.shell.notarmed import NotArmedBanner
from gui.shell.settings import Settings
from gui.shell.theme import apply_theme
from gui.shell.tray import Tray
from tests.gui.shell.controllers import close_controller, free_port

FLOW = """flowdeck: 1
name: {name}
triggers:
  - {trigger}
steps:
  hi:
    do: log
    with: {{message: hi}}
"""
NO_DESKTOP = "there is no desktop here (no DISPLAY): the Desktop blocks need a graphical session"
TAKEN = "the hotkey ctrl+alt+t is already taken by another program"


@pytest.fixture(autouse=True)
def _no_desktop(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(EditorPage, "ask_unsaved", lambda self: files_mod.DISCARD)


@pytest.fixture
def controller(qtbot: QtBot, qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "desk.yaml").write_text(FLOW.format(name="Desk", trigger="hotkey: {keys: ctrl+alt+t}"))
    (ws / "daily.yaml").write_text(FLOW.format(name="Daily", trigger='schedule: {cron: "0 8 * * *"}'))
    c = AppController(qapp, None, Settings(workspace=str(ws), webhook_port=free_port(), tray_hint_shown=True))
    c.start()
    qtbot.waitUntil(lambda: c.service is not None and len(c.dashboard.rows) == 2, timeout=20000)
    yield c
    close_controller(c)
    NOTES.set([])


def test_the_banner_the_row_and_the_card_say_not_armed_until_the_file_is_edited(
    qtbot: QtBot, controller: AppController
) -> None:
    ws = controller.settings.workspace_path
    desk = ws / "desk.yaml"
    banner, page = controller.not_armed_banner, controller.dashboard
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=5000)
    assert banner.text.text().count("<br>") == 0  # one line: one trigger is not armed
    assert "desk.yaml</a>: the hotkey trigger is not armed: there is no desktop here (no DISPLAY)" in banner.text.text()
    assert banner.lines == [(str(desk.resolve()), f"desk.yaml: the hotkey trigger is not armed: {NO_DESKTOP}")]
    row = page.row_of(str(desk.resolve()))
    starts = page.table.item(row, TRIGGERS)
    assert starts.text() == "when ctrl+alt+t is pressed (not armed)" and not starts.icon().isNull()  # a warning sign
    assert f"Not armed: {NO_DESKTOP}" in starts.toolTip()
    assert page.table.item(row, NEXT).text() == "not armed"
    assert "not all armed" in page.switch_at(row).toolTip()
    daily = page.row_of(str((ws / "daily.yaml").resolve()))
    assert "not armed" not in page.table.item(daily, TRIGGERS).text() + page.table.item(daily, NEXT).text()
    controller.open_file(str(desk))
    card = controller.window.editor.inspector.page.triggers.cards[0]
    assert f"⚠ Not armed: {NO_DESKTOP}" in card.words.text()
    win.show_page(controller.window, page)
    desk.write_text(FLOW.format(name="Desk", trigger="schedule: {every: 1h}"))
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: "not armed" not in page.table.item(page.row_of(str(desk.resolve())), TRIGGERS).text())
    assert page.table.item(page.row_of(str(desk.resolve())), NEXT).text() != "not armed"


def test_switched_off_the_banner_goes_and_on_again_it_comes_back(qtbot: QtBot, controller: AppController) -> None:
    desk = str((controller.settings.workspace_path / "desk.yaml").resolve())
    banner, page = controller.not_armed_banner, controller.dashboard
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=5000)
    page.switch_at(page.row_of(desk)).click()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=5000)
    assert page.table.item(page.row_of(desk), TRIGGERS).text() == "when ctrl+alt+t is pressed"
    assert page.table.item(page.row_of(desk), TRIGGERS).icon().isNull()
    page.switch_at(page.row_of(desk)).click()
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=5000)


def test_try_again_arms_them_once_more_off_the_gui_thread(qtbot: QtBot, controller: AppController) -> None:
    tries = []
    controller.service.subscribe(lambda e: tries.append(e) if e.kind == "not_armed" else None)
    banner = controller.not_armed_banner
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=5000)
    banner.retry.click()
    qtbot.waitUntil(lambda: len(tries) == 1, timeout=5000)  # still no DISPLAY: tried, and said again
    assert tries[0].message == f"desk.yaml: the hotkey trigger is not armed: {NO_DESKTOP}"
    assert banner.isVisible()


def test_a_window_opened_later_shows_at_once_what_is_not_armed(
    qtbot: QtBot, qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started in the tray, the window is made when first opened: it asks the service, it does not wait for news."""
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "desk.yaml").write_text(FLOW.format(name="Desk", trigger="hotkey: {keys: ctrl+alt+t}"))
    c = AppController(qapp, None, Settings(workspace=str(ws), webhook_port=free_port(), tray_hint_shown=True))
    c.start(minimized=True)
    try:
        qtbot.waitUntil(lambda: c.service is not None and bool(c.service.not_armed()), timeout=20000)
        assert c.window is None
        c.show_window()
        assert c.not_armed_banner.isVisible()
        assert c.not_armed_banner.lines == [(str((ws / "desk.yaml").resolve()), c.service.not_armed()[0].message)]
    finally:
        close_controller(c)
        NOTES.set([])


def _found(tmp_path: Path, *names: str) -> list[NotArmed]:
    return [NotArmed(tmp_path / f"{n}.yaml", Trigger("hotkey", {"keys": "ctrl+alt+t"}), TAKEN) for n in names]


def test_the_banner_lists_one_line_each_is_dismissed_until_another_comes_and_links_its_files(
    qtbot: QtBot, tmp_path: Path
) -> None:
    banner = NotArmedBanner()
    qtbot.addWidget(banner)
    opened: list[str] = []
    banner.open_requested.connect(opened.append)
    banner.set_not_armed(_found(tmp_path, "a", "b"))
    assert not banner.isHidden()
    assert banner.text.text().split("<br>") == [
        f"<a href='{(tmp_path / n).as_uri()}'>{n}</a>: the hotkey trigger is not armed: {TAKEN}"
        for n in ("a.yaml", "b.yaml")
    ]
    banner.dismiss.click()
    assert banner.isHidden()
    banner.set_not_armed(_found(tmp_path, "a", "b"))  # the same ones again (a refresh): it stays dismissed
    assert banner.isHidden()
    banner.set_not_armed(_found(tmp_path, "a", "b", "c"))  # a new one: shown again, with all three
    assert not banner.isHidden() and banner.text.text().count("<br>") == 2
    banner.set_not_armed([])
    assert banner.isHidden()
    banner.text.linkActivated.emit((tmp_path / "a.yaml").as_uri())  # what a click on the file's name sends
    assert opened == [str(tmp_path / "a.yaml")]


def test_the_banner_sits_over_every_page_and_takes_no_room_when_hidden(qtbot: QtBot, tmp_path: Path) -> None:
    window = win.make_window()
    qtbot.addWidget(window)
    banner = NotArmedBanner()
    win.add_banner(window, banner)
    window.show()
    holder = banner.parentWidget()
    assert not holder.isVisible()
    banner.set_not_armed(_found(tmp_path, "a"))
    assert holder.isVisible()
    top, pages = holder.mapTo(window, QPoint(0, 0)).y(), window.stack.mapTo(window, QPoint(0, 0)).y()
    assert pages >= top + holder.height() > top  # across the top, the pages under it
    banner.set_not_armed([])
    assert not holder.isVisible()


def test_the_banner_follows_the_theme(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    banner = NotArmedBanner()
    qtbot.addWidget(banner)
    try:
        apply_theme(qapp, "dark")
        qapp.processEvents()  # the new palette reaches widgets as a posted event
        assert warning_colours()[0] in banner.styleSheet() and warning_colours()[0] == "#3b3120"
        apply_theme(qapp, "light")
        qapp.processEvents()
        assert "#fff4e5" in banner.styleSheet()
    finally:
        apply_theme(qapp, "system")


def test_a_trigger_card_says_why_it_is_not_armed_only_for_its_file_and_trigger(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("")
    card = TriggerCard(0, Trigger("hotkey", {"keys": "ctrl+alt+t"}), lambda: path)
    other = TriggerCard(0, Trigger("hotkey", {"keys": "ctrl+alt+y"}), lambda: path)
    for c in (card, other):
        qtbot.addWidget(c)
    try:
        NOTES.set(_found(tmp_path, "a"))
        assert f"⚠ Not armed: {TAKEN}" in card.words.text()
        assert "Not armed" not in other.words.text()  # another key (edited, not saved yet): not known
        NOTES.set([])
        assert "Not armed" not in card.words.text()
    finally:
        NOTES.set([])
