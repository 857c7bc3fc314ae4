"""docs/app.md, "A trigger that is not armed": the real app (python -m gui on Xvfb with trayer, its own HOME) with
workflows whose hotkeys another program holds (a second X client grabbing them with python-xlib), read off the
screen with Tesseract as a person reads it, then the file edited on disk, switched off and on, or removed.

No window manager: the window sits at the top left at its default size, so its parts are at fixed places: the
banner's lines at y=38 and 52 under the menu bar, its ✕ at the right; the first row of the Workflows page at y=96
without the banner, 147 under a banner of one line, 161 under two (38 pixels a row).
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from Xlib import X, display

from tests.e2e.desktop import Desktop, started
from tests.support.desk import TRIGGERED_FLOW
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay


def grab(x: XDisplay, *keys: str, holder: display.Display | None = None) -> display.Display:
    """Another program (or ``holder``) holding ctrl+alt+KEY for each of ``keys`` (released when it closes)."""
    other = holder or display.Display(x.display)
    for key in keys:
        other.screen().root.grab_key(other.keysym_to_keycode(ord(key)), X.ControlMask | X.Mod1Mask, True,
                                     X.GrabModeAsync, X.GrabModeAsync)  # fmt: skip
    other.sync()
    return other


def flow(product: Product, name: str, keys: str, out: Path) -> Path:
    line = "{{ trigger.keys }}"
    return product.write(f"{name}.yaml", TRIGGERED_FLOW.format(name=name, trigger=f"hotkey: {{keys: {keys}}}",
                                                               line=line, out=out))  # fmt: skip


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def click(app: Desktop, x: int, y: int) -> None:
    app.xdo("mousemove", str(x), str(y), "click", "1")
    time.sleep(0.4)


def line(n: int) -> tuple[int, int, int, int]:
    """The banner's line ``n`` (the file's name and the engine's words)."""
    return (40, 31 + 14 * n, 700, 15)


def starts(row: int, top: int) -> tuple[int, int, int, int]:
    """The Starts cell of a row of the Workflows page whose first row is at y=``top``."""
    return (248, top - 8 + 38 * row, 340, 17)  # narrower than the column once a run widens "Last run"


def next_run(row: int, top: int) -> tuple[int, int, int, int]:
    return (681, top - 8 + 38 * row, 68, 17)


DISMISS, TRY_AGAIN, SWITCH = (1059, 42), (999, 42), 121
TAKEN = "the hotkey trigger is not armed: the hotkey ctrl+alt+{key} is already taken by another program"


Rect = tuple[int, int, int, int]


def look(app: Desktop, tmp_path: Path) -> Path:
    """A screenshot, to read several places of one moment."""
    return app.shot(tmp_path / "screen.png")


def ocr(shot: Path, rect: Rect, *, block: bool = False) -> str:
    """The words in ``rect`` of ``shot`` as Tesseract reads them (enlarged 3x: small UI text), one line unless
    ``block``; its usual slip in small text undone (ctri+, ctrit+ → ctrl+)."""
    from PIL import Image

    x, y, w, h = rect
    part = Image.open(shot).crop((x, y, x + w, y + h)).resize((w * 3, h * 3), Image.Resampling.LANCZOS)
    part.save(shot.with_name("part.png"))
    done = subprocess.run(["tesseract", str(shot.with_name("part.png")), "stdout", "--psm", "6" if block else "7"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    return re.sub(r"\bctr\w{0,2}\+", "ctrl+", " ".join(done.stdout.split()))


def read(app: Desktop, rect: Rect, tmp_path: Path, *, block: bool = False) -> str:
    return ocr(look(app, tmp_path), rect, block=block)


def reads(app: Desktop, rect: Rect, tmp_path: Path, wanted: str, *, block: bool = False, timeout: float = 15) -> str:
    """Wait until the screen reads ``wanted`` in ``rect``; what it read last."""
    said = wait_until(lambda: wanted in (text := read(app, rect, tmp_path, block=block)) and text, timeout, 0.2)
    return said or read(app, rect, tmp_path, block=block)


def close_balloon(app: Desktop) -> None:
    """The tray message about the trigger: clicked away, it no longer covers the window's right edge."""
    app.wait_for(app.popup_visible, "the tray message about the trigger is shown")
    app.click_popup(app.popups()[0])
    app.wait_for(lambda: not app.popup_visible(), "the tray message went", 10)


@pytest.mark.promise("app.md", "A trigger that is not armed")
@pytest.mark.promise("desktop.md", "Desktop triggers need the app")
def test_taken_hotkeys_are_listed_in_the_banner_marked_on_the_page_and_in_the_editor_until_the_files_change(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """Two workflows whose hotkeys another program holds: a banner across the top of the window lists both, one
    line each in the log's words naming the file, the file's name opening it in the editor (whose trigger card says
    "⚠ Not armed: …"); the Workflows page says "when ctrl+alt+… is pressed (not armed)", why in its tooltip, and
    Next run "not armed"; one file edited on disk to a free key leaves one line, the other removed leaves no banner,
    and the new key pressed once runs its workflow once."""
    out = tmp_path / "out.txt"
    other = grab(xdisplay, "t", "u")
    flow(product, "taken", "ctrl+alt+t", out)
    flow(product, "other", "ctrl+alt+u", out)
    app = started(xdisplay, product)
    try:
        window = app.main_window()
        app.wait_log("other.yaml: " + TAKEN.format(key="u").replace("+", "\\+"))
        app.wait_log("taken.yaml: " + TAKEN.format(key="t").replace("+", "\\+"))
        assert reads(app, line(1), tmp_path, "taken.yaml") == "taken.yaml: " + TAKEN.format(key="t")
        shot = look(app, tmp_path)
        assert ocr(shot, line(0)) == "other.yaml: " + TAKEN.format(key="u")
        for row, key in enumerate("ut"):  # rows by name: other, taken
            assert ocr(shot, starts(row, 161)).endswith(f"when ctrl+alt+{key} is pressed (not armed)")
            assert ocr(shot, next_run(row, 161)) == "not armed"
        app.focus(window)  # Qt shows tooltips in the active window
        app.xdo("mousemove", "400", "158", "mousemove", "402", "161")  # over what starts "other": its tooltip says why
        why = reads(app, (405, 201, 430, 15), tmp_path, "Not armed")  # the tooltip's second line, under the cursor
        assert why == "Not armed: the hotkey ctrl+alt+u is already taken by another program"
        click(app, 60, 52)  # "taken.yaml" in the banner's second line
        app.wait_title(window, "Flowdeck — taken.yaml")
        time.sleep(1)
        app.xdo("mousemove", "920", "300", "click", "--repeat", "6", "5")  # the inspector, down to the trigger card
        said = reads(app, (778, 125, 290, 350), tmp_path, "Not armed", block=True)
        assert "Not armed: the hotkey ctrl+alt+t is already" in said, said
        click(app, 40, 114)  # back to the Workflows page
        flow(product, "taken", "ctrl+alt+y", out)  # edited on disk to a key nobody holds
        assert reads(app, starts(1, 147), tmp_path, "when ctrl+alt+y is pressed") == "when ctrl+alt+y is pressed"
        assert read(app, line(0), tmp_path) == "other.yaml: " + TAKEN.format(key="u")  # one line left
        (product.workspace / "other.yaml").unlink()
        assert reads(app, starts(0, 96), tmp_path, "when ctrl+alt+y") == "when ctrl+alt+y is pressed", "banner gone"
        shot = look(app, tmp_path)
        assert ocr(shot, next_run(0, 96)) != "not armed" and "not armed" not in ocr(shot, line(0))  # the page's title
        app.xdo("key", "ctrl+alt+y")
        assert wait_until(lambda: lines(out), 15), "the new key fires"
        time.sleep(0.5)
        assert lines(out) == ["ctrl+alt+y"]  # one press, one run
    finally:
        app.stop()
        other.close()


@pytest.mark.promise("app.md", "A trigger that is not armed")
def test_dismissed_the_banner_comes_back_for_another_and_a_freed_key_is_armed_by_switching_off_and_on_or_try_again(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """✕ dismisses the banner (the page still marks the trigger) until another trigger cannot be armed; once the
    other program has let go of a key, switching its workflow off and on arms it (its line leaves the banner), and
    so does Try again on the banner for the last one (the banner goes); each key pressed once runs its workflow
    once."""
    out = tmp_path / "out.txt"
    other, second = grab(xdisplay, "t"), grab(xdisplay)
    flow(product, "taken", "ctrl+alt+t", out)
    app = started(xdisplay, product)
    try:
        app.wait_log("taken.yaml: the hotkey trigger is not armed")
        close_balloon(app)
        assert reads(app, line(0), tmp_path, "taken.yaml") == "taken.yaml: " + TAKEN.format(key="t")
        click(app, *DISMISS)
        assert reads(app, starts(0, 96), tmp_path, "(not armed)").endswith("when ctrl+alt+t is pressed (not armed)")
        grab(xdisplay, "u", holder=second)
        flow(product, "other", "ctrl+alt+u", out)
        assert reads(app, line(1), tmp_path, "taken.yaml") == "taken.yaml: " + TAKEN.format(key="t"), "back"
        assert read(app, line(0), tmp_path) == "other.yaml: " + TAKEN.format(key="u")  # listing every one
        other.screen().root.ungrab_key(X.AnyKey, X.AnyModifier)  # the other program lets go of ctrl+alt+t
        other.sync()
        close_balloon(app)
        click(app, SWITCH, 161 + 38)  # taken (rows by name: other, taken): off
        app.wait_log("disabled .*taken.yaml")
        assert reads(app, starts(1, 147), tmp_path, "pressed") == "when ctrl+alt+t is pressed"  # one line left above
        click(app, SWITCH, 147 + 38)  # on again
        app.wait_log("enabled .*taken.yaml")
        assert reads(app, starts(1, 147), tmp_path, "pressed") == "when ctrl+alt+t is pressed"
        shot = look(app, tmp_path)
        assert ocr(shot, line(0)) == "other.yaml: " + TAKEN.format(key="u")
        assert "taken.yaml" not in ocr(shot, line(1))
        app.xdo("key", "ctrl+alt+t")
        assert wait_until(lambda: lines(out), 15), "the freed key fires"
        time.sleep(0.5)
        assert lines(out) == ["ctrl+alt+t"]
        second.screen().root.ungrab_key(X.AnyKey, X.AnyModifier)  # and of ctrl+alt+u
        second.sync()
        click(app, *TRY_AGAIN)
        app.wait_log("trying the triggers that are not armed again")
        assert reads(app, starts(0, 96), tmp_path, "pressed") == "when ctrl+alt+u is pressed", "the banner is gone"
        app.xdo("key", "ctrl+alt+u")
        assert wait_until(lambda: len(lines(out)) == 2, 15), "armed by Try again, the key fires"
        time.sleep(0.5)
        assert lines(out) == ["ctrl+alt+t", "ctrl+alt+u"]
    finally:
        app.stop()
        other.close()
        second.close()
