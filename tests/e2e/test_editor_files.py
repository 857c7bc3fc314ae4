"""docs/editor.md: the editor of the real app (Xvfb, trayer, its own HOME), used with the mouse and the keyboard, and
what a person then finds: the window's title, the file on disk, the runs in the history, the clipboard.

The window has no window manager around it, so it sits at the top left at its default size (1088x680 on the
1280x800 test screen) and the places clicked below are those of its default layout (docs/images/editor.png).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.e2e.desktop import Desktop, started
from tests.e2e.test_app_desktop import alive, sleeper
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

SEARCH = (195, 90)  # the Blocks panel's search box
NAME = (920, 162)  # the inspector's Name field (nothing selected: the workflow's settings)
CANVAS = (550, 400)  # an empty part of the canvas

HAND = """# My notes: keep this comment
# and this one
flowdeck: 1
name: Hand written
x-owner: ada
steps:
  greet:
    do: log
    with: {message: hi}
"""
PAIR = """flowdeck: 1
name: Pair
steps:
  fetch:
    do: log
    with: {message: a}
    next: show
  show:
    do: log
    with: {message: "got {{ steps.fetch.message }}"}
"""


def click(app: Desktop, where: tuple[int, int]) -> None:
    app.xdo("mousemove", str(where[0]), str(where[1]), "click", "1")
    time.sleep(0.3)


def editor(xdisplay: XDisplay, product: Product, path: Path) -> tuple[Desktop, int]:
    """The app started on ``path`` (flowdeck open FILE), its window titled with the file's name."""
    app = started(xdisplay, product, "open", str(path))
    title = f"Flowdeck — {path.name}"
    app.wait_for(lambda: app.window_named(title) is not None, f"a window titled {title!r} is shown")
    window = app.window_named(title)
    assert window is not None
    app.focus(window)
    return app, window


@pytest.mark.promise("editor.md", "Running")
@pytest.mark.promise("editor.md", "Files")
@pytest.mark.promise("editor.md", "Copy, paste, undo")
def test_run_unsaved_undo_typing_as_one_step_and_save_keeps_comments(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Run (F5) runs the workflow as it is in the editor, saved or not; a * in the title means unsaved changes;
    typing into one field undoes as one step and redoes; Save keeps the comments at the top of the file, the order of
    the keys and the x- keys; a block found by typing in the Blocks search and Enter is added."""
    path = product.write("hand.yaml", HAND)
    app, window = editor(xdisplay, product, path)
    try:
        click(app, NAME)
        app.keys(window, "ctrl+a")
        app.type(window, "Renamed flow")
        app.wait_title(window, "Flowdeck — hand.yaml*")
        app.keys(window, "F5")
        assert wait_until(lambda: product.history("Renamed flow")), "the unsaved workflow ran"
        (run,) = product.history("Renamed flow")
        assert (run["source"], run["status"], run["path"]) == ("editor", "succeeded", str(path))
        assert path.read_text() == HAND, "running does not save"
        click(app, CANVAS)
        app.keys(window, "ctrl+z")  # the whole name typed is one step
        app.wait_title(window, "Flowdeck — hand.yaml")
        app.keys(window, "ctrl+shift+z")
        app.wait_title(window, "Flowdeck — hand.yaml*")
        click(app, SEARCH)
        app.type(window, "datetime")
        app.keys(window, "Return")  # adds the first match: Date & time
        app.shot(tmp_path / "editor-edited.png")
        app.keys(window, "ctrl+s")
        app.wait_title(window, "Flowdeck — hand.yaml")
        saved = path.read_text()
        assert saved.startswith("# My notes: keep this comment\n# and this one\n"), saved
        doc = yaml.safe_load(saved)
        assert list(doc)[:3] == ["flowdeck", "name", "x-owner"] and doc["x-owner"] == "ada", saved
        assert doc["name"] == "Renamed flow" and list(doc["steps"]) == ["greet", "datetime"], saved
        assert doc["steps"]["datetime"]["do"] == "datetime"
        checked = product.run("validate", str(path))
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        app.stop()


@pytest.mark.promise("editor.md", "Copy, paste, undo")
def test_copy_is_yaml_and_paste_renames_keeps_wires_and_follows_expressions(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product
) -> None:
    """Copy puts the selected steps on the clipboard as YAML text; Paste gives them new ids (fetch becomes fetch_2),
    keeps the wires among them and points their expressions at the copies; steps copied out of a file in a text
    editor paste too; Undo takes a paste back."""
    path = product.write("pair.yaml", PAIR)
    app, window = editor(xdisplay, product, path)
    try:
        click(app, CANVAS)
        app.keys(window, "ctrl+a", "ctrl+c")
        copied = yaml.safe_load(app.clipboard())
        assert copied["steps"] == yaml.safe_load(PAIR)["steps"], app.clipboard()  # a workflow of its own
        app.keys(window, "ctrl+v", "ctrl+s")
        app.wait_for(lambda: "fetch_2" in path.read_text(), "the pasted steps are saved")
        steps = yaml.safe_load(path.read_text())["steps"]
        assert sorted(steps) == ["fetch", "fetch_2", "show", "show_2"]
        assert steps["fetch_2"]["next"] == "show_2"
        assert steps["show_2"]["with"]["message"] == "got {{ steps.fetch_2.message }}"
        assert steps["show"]["with"]["message"] == "got {{ steps.fetch.message }}"
        text_editor = app.own_clipboard("other:\n  do: log\n  with: {message: from a text editor}\n")
        try:
            click(app, CANVAS)
            app.keys(window, "ctrl+v", "ctrl+s")
            app.wait_for(lambda: "other" in path.read_text(), "the step from the text editor is saved")
        finally:
            text_editor.kill()
        assert yaml.safe_load(path.read_text())["steps"]["other"]["with"] == {"message": "from a text editor"}
        app.keys(window, "ctrl+z", "ctrl+s")
        app.wait_for(lambda: "other" not in path.read_text(), "the paste is undone")
    finally:
        app.stop()


DECOR = (
    PAIR
    + """layout:
  note why: {at: [-300, 0], colour: green, text: "Look *first*"}
  group Work: {colour: purple, steps: [fetch, show]}
"""
)


@pytest.mark.promise("editor.md", "Copy, paste, undo")
def test_duplicate_brings_notes_and_groups_along_and_one_undo_takes_it_back(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product
) -> None:
    """Sticky notes and groups selected with the steps come along: a pasted note keeps its text and colour, a pasted
    group frames the pasted copies of its steps; what was pasted is selected; one Ctrl+Z takes the whole paste
    back."""
    path = product.write("decor.yaml", DECOR)
    app, window = editor(xdisplay, product, path)
    try:
        click(app, CANVAS)
        app.keys(window, "ctrl+a", "ctrl+c")
        assert {"note why", "group Work"} <= set(yaml.safe_load(app.clipboard())["layout"])
        app.keys(window, "ctrl+d", "ctrl+s")
        app.wait_for(lambda: "fetch_2" in path.read_text(), "the duplicates are saved")
        layout = yaml.safe_load(path.read_text())["layout"]
        assert layout["group Work 2"] == {"colour": "purple", "steps": ["fetch_2", "show_2"]}
        notes = [v for k, v in layout.items() if k.startswith("note ")]
        assert [(n["text"], n["colour"]) for n in notes] == [("Look *first*", "green")] * 2
        app.keys(window, "ctrl+d", "ctrl+s")  # what was pasted is selected: this duplicates the copy
        app.wait_for(lambda: "fetch_3" in path.read_text(), "the copy's duplicate is saved")
        layout = yaml.safe_load(path.read_text())["layout"]
        assert layout["group Work 3"]["steps"] == ["fetch_3", "show_3"] and len([k for k in layout if "note" in k]) == 3
        app.keys(window, "ctrl+z", "ctrl+z", "ctrl+s")
        app.wait_for(lambda: "fetch_2" not in path.read_text(), "the duplicates are undone")
        layout = yaml.safe_load(path.read_text())["layout"]
        assert sorted(k for k in layout if " " in k) == ["group Work", "note why"]
    finally:
        app.stop()


@pytest.mark.promise("editor.md", "Running")
def test_stop_ends_the_running_program_and_the_window_stays_responsive(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """While a workflow runs from the editor the window stays responsive (typing shows at once); Stop (Shift+F5)
    cancels the run and ends the running program."""
    pid_file = tmp_path / "sleep.pid"
    path = product.write("long.yaml", sleeper(pid_file))
    app, window = editor(xdisplay, product, path)
    try:
        app.keys(window, "F5")
        assert wait_until(lambda: pid_file.exists() and pid_file.read_text().strip()), "the program runs"
        pid = int(pid_file.read_text())
        click(app, NAME)
        app.type(window, "!")
        app.wait_title(window, "Flowdeck — long.yaml*", timeout=5)  # the window answers while the run goes
        click(app, CANVAS)
        app.keys(window, "shift+F5")
        assert wait_until(lambda: not alive(pid), timeout=15), "the running program is ended"
        assert wait_until(lambda: [r["status"] for r in product.history()] == ["cancelled"]), product.history()
    finally:
        app.stop()
