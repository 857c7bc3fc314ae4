"""docs/debugging.md, See a past run in the editor and Previews while you type: the real app (Xvfb, trayer, its own
HOME) opens a run of `flowdeck run` from its History page on the canvas, runs from a step with that run's data,
and previews a template setting while a person types; checked by what a person sees (the bar's and the preview's
words read off the screen with Tesseract, colours on the canvas) and what the runs did (their files, the history).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop, started
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

FLOW = """flowdeck: 1
name: Invoices
steps:
  fetch:
    do: json.parse
    with: {{text: '{{"count": 12, "total": 4310.5}}'}}
    next: check
  check:
    do: if
    with: {{condition: "{{{{ steps.fetch.value.count > 10 }}}}"}}
    next: {{then: save, else: few}}
  save:
    do: file.write
    with: {{path: "{out}", content: "{{{{ steps.fetch.value.count }}}} invoices"}}
  few:
    do: log
    with: {{message: too few}}
layout:
  fetch: [0, 40]
  check: [240, 40]
  save: [480, -40]
  few: [480, 160]
"""


HISTORY_PAGE = (40, 100)
NEWEST_RUN, OLDER_RUN = (300, 90), (300, 116)
PROBLEM = (96, 432, 700, 20)
GONE_ROW = (198, 80, 168, 20)  # the newest row's Workflow cell  # the line under the run's header on the History page
OPEN_IN_EDITOR = (935, 418)
SAVE_NODE = (650, 215)  # the file.write step on the fitted canvas (run view: the bar takes 30 px from the top)
RUN_FROM_HERE = (970, 72)
BAR = (84, 60, 420, 26)  # the bar's title (x, y, width, height)
CANVAS = (318, 88, 430, 340)
HEADERS = {"log": (0x2E, 0x9D, 0x6A), "files": (0xD0, 0x8A, 0x2E)}  # the log and file.write steps' header colours


def click(app: Desktop, where: tuple[int, int]) -> None:
    app.xdo("mousemove", str(where[0]), str(where[1]), "click", "1")
    time.sleep(0.5)


def read(app: Desktop, rect: tuple[int, int, int, int], tmp_path: Path) -> str:
    """The words in ``rect`` of the screen, as Tesseract reads them (enlarged 3x: small UI text)."""
    from PIL import Image

    shot = app.shot(tmp_path / "screen.png")
    x, y, w, h = rect
    part = Image.open(shot).crop((x, y, x + w, y + h))
    part = part.resize((w * 3, h * 3), Image.Resampling.LANCZOS)
    part.save(tmp_path / "part.png")
    done = subprocess.run(["tesseract", str(tmp_path / "part.png"), "stdout", "--psm", "7"], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    return " ".join(done.stdout.split())


@pytest.mark.promise("debugging.md", "See a past run in the editor")
@pytest.mark.promise("editor.md", "Running")
def test_open_a_past_run_from_history_and_run_from_a_step_with_its_data(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """History ▸ Open in editor says in one line when a run's file is gone; for a file that is there it shows the
    run of `flowdeck run` on the canvas: the bar says "Showing run <id> of
    <date>", the step it did not run is faded (its colour is gone) while the others keep theirs; selecting the
    file.write step and pressing Run from here with this run's data writes the file again from that run's outputs,
    the new run in the history ran that step alone, and after it the step it did not run is still faded."""
    out = product.home / "summary.txt"
    path = product.write("invoices.yaml", FLOW.format(out=out))
    done = product.run("run", str(path))
    assert done.returncode == 0, done.stderr
    (first,) = product.history()
    out.unlink()
    gone = product.write("gone.yaml", FLOW.format(out=out).replace("Invoices", "Gone"))
    assert product.run("run", str(gone)).returncode == 0
    gone.unlink()
    out.unlink()
    app = started(xdisplay, product)
    try:
        click(app, HISTORY_PAGE)
        assert wait_until(lambda: click(app, HISTORY_PAGE) or "Gone" in read(app, GONE_ROW, tmp_path), timeout=20)
        click(app, NEWEST_RUN)  # the run of gone.yaml, whose file is gone
        click(app, OPEN_IN_EDITOR)
        said = wait_until(lambda: "is gone" in (t := read(app, PROBLEM, tmp_path)) and t, timeout=10)
        assert said and "gone.yaml" in said, read(app, PROBLEM, tmp_path)
        click(app, OLDER_RUN)
        click(app, OPEN_IN_EDITOR)
        app.wait_title(app.main_window(), "Flowdeck — invoices.yaml")
        time.sleep(1)
        bar = wait_until(lambda: (text := read(app, BAR, tmp_path)).startswith("Showing run") and text, timeout=10)
        assert bar and first["run_id"][:6] in bar, read(app, BAR, tmp_path)
        colours = app.colours(CANVAS, HEADERS)  # two headers of one size: the step not run is faded, save is not
        assert colours["files"] > 300 and colours["log"] < colours["files"] / 5, colours
        click(app, SAVE_NODE)
        click(app, RUN_FROM_HERE)
        assert wait_until(lambda: out.exists() and out.read_text() == "12 invoices", timeout=20)
        again = wait_until(lambda: next((r for r in product.history() if r["run_id"] != first["run_id"]), None))
        assert again and again["source"] == "editor"
        steps = product.history_rows("SELECT step FROM steps WHERE run_id = ?", (again["run_id"],))
        assert [s["step"] for s in steps] == ["save"]
        colours = app.colours(CANVAS, HEADERS)  # the editor's run is over: its path stays drawn until an edit
        assert colours["files"] > 300 and colours["log"] < colours["files"] / 5, colours
    finally:
        app.quit()


LOG_NODE = (660, 300)  # the log step on the fitted canvas, without the run view's bar
MESSAGE = (900, 394)  # the inspector's Message field of the log step
PREVIEW = (776, 405, 292, 18)  # the line under it


@pytest.mark.promise("debugging.md", "Previews while you type")
def test_a_template_setting_previews_its_value_in_the_last_run_as_you_type(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """After a run, the log step's message `{{ steps.fetch.value.count }} is too few` previews as "→ 12 is too
    few" under the field; typing a misspelt output shows what is wrong with the nearest name, and the next text
    typed previews its own value."""
    from tests.e2e.test_editor_files import editor

    out = product.home / "summary.txt"
    text = FLOW.format(out=out).replace("message: too few", 'message: "{{ steps.fetch.value.count }} is too few"')
    path = product.write("invoices.yaml", text)
    assert product.run("run", str(path)).returncode == 0
    app, window = editor(xdisplay, product, path)
    try:
        time.sleep(1)
        click(app, LOG_NODE)
        seen = wait_until(lambda: "12 is too few" in (t := read(app, PREVIEW, tmp_path)) and t, timeout=10)
        assert seen, read(app, PREVIEW, tmp_path)
        click(app, MESSAGE)
        app.keys(window, "ctrl+a")
        app.type(window, "{{ steps.fetch.valu }}")
        seen = wait_until(lambda: "did you mean" in (t := read(app, PREVIEW, tmp_path)) and t, timeout=10)
        assert seen and "has no output" in seen and "value" in seen, read(app, PREVIEW, tmp_path)
        app.keys(window, "ctrl+a")
        app.type(window, "{{ steps.fetch.value.total }} EUR")
        seen = wait_until(lambda: "4310.5 EUR" in (t := read(app, PREVIEW, tmp_path)) and t, timeout=10)
        assert seen, read(app, PREVIEW, tmp_path)
    finally:
        app.keys(window, "ctrl+s")  # saved: quitting asks nothing
        app.wait_title(window, f"Flowdeck — {path.name}")
        app.quit()
