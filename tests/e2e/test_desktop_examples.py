"""The worked examples of docs/desktop.md, as a person would use them: pasted into a workflow file as written,
checked with `flowdeck validate`, run with `flowdeck run` against a real window on Xvfb with openbox (the Tk probe
of tests/support/desk_probe.py, titled like an invoice), and the trigger and ask examples in the real app. Each
check asserts what the example's text says the person will see."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.desktop import Desktop, started
from tests.support.desk import PROBE, Desk, Probe, desk, desk_display, tray_on_desk  # noqa: F401
from tests.support.docexamples import examples
from tests.support.product import Product, wait_until

EXAMPLES = examples("desktop.md")
TYPE = "Example: type into a window and save"
MOUSE = "Example: click, drag and scroll in a window"
WINDOWS = "Example: line up a window and list the open ones"
SHOT = "Example: a screenshot of one window"
FIND = "Example: find a button on the screen and click it"
READ = "Example: read a line of text off the screen"
ASK = "Example: a question with buttons, then a form"
PICK = "Example: ask for one value"
HOTKEY = "Hotkey example: a screenshot on Ctrl+Alt+S"
WINDOW = "Window example: maximise a window when it opens"
CLIPBOARD = "Clipboard example: keep every copied link"
# validated only: their events come from logind/UPower, which test_desktop_triggers_app stands in for on D-Bus
VALIDATED_ONLY = ("Session example: a log of working hours", "Device example: a warning on battery")
TITLE = "Invoice 4711"  # the probe window the block examples work on ("*Invoice*")


def _file(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-") + ".yaml"


def _write(product: Product, *headings: str) -> dict[str, Path]:
    """The examples as workflow files in the person's workspace, pasted as the page shows them."""
    return {h: product.write(_file(h), EXAMPLES[h]) for h in headings}


def _today() -> str:
    return datetime.date.today().isoformat()


def _xdo(desk: Desk, *args: str) -> str:  # noqa: F811
    done = subprocess.run(["xdotool", *args], env=desk.x.env(), capture_output=True, text=True, timeout=10)
    return done.stdout


@pytest.mark.promise("desktop.md", "The desktop")
def test_every_example_on_the_page_passes_flowdeck_validate(product: Product) -> None:
    """Every ```yaml example of docs/desktop.md is a whole workflow that `flowdeck validate` passes; one that does
    not fails this test with its heading and the validator's lines. Each example is run below or named as
    validated only."""
    run_or_fired = {TYPE, MOUSE, WINDOWS, SHOT, FIND, READ, ASK, PICK, HOTKEY, WINDOW, CLIPBOARD}
    assert set(EXAMPLES) == run_or_fired | set(VALIDATED_ONLY), "an example this test does not know (or lost)"
    files = _write(product, *EXAMPLES)
    done = product.run("validate", *(str(f) for f in files.values()))
    bad = {h: [line for line in done.stderr.splitlines() if str(f) in line] for h, f in files.items()}
    bad = {h: lines for h, lines in bad.items() if lines or f"{files[h]}: OK" not in done.stdout}
    if bad:
        pytest.fail("\n".join(f"the example under '{h}' does not validate: {' | '.join(v)}" for h, v in bad.items()))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def invoice(desk: Desk) -> Iterator[Probe]:  # noqa: F811
    """The window the examples work on: the probe, titled like an invoice."""
    p = desk.probe(TITLE)
    yield p
    p.proc.terminate()
    p.proc.wait(10)


def _run(product: Product, desk: Desk, heading: str) -> str:  # noqa: F811
    """``flowdeck run`` on the example, on the test display; its output (the run must succeed)."""
    done = product.run("run", str(_write(product, heading)[heading]), env={"DISPLAY": desk.x.display})
    assert done.returncode == 0, f"'{heading}' failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def _check_type(product: Product, desk: Desk, probe: Probe) -> None:  # noqa: F811
    _run(product, desk, TYPE)
    probe.expect(f"text Paid {_today()}")
    assert int(probe.expect("key s").split()[2]) & 4  # with Control held: Ctrl+S


def _check_mouse(product: Product, desk: Desk, probe: Probe) -> None:  # noqa: F811
    _run(product, desk, MOUSE)
    assert probe.expect("double") == "double 300 50"
    assert [probe.expect("scroll") for _ in range(3)] == ["scroll down"] * 3
    assert probe.expect("drag") == "drag 20 200 240 220"
    assert probe.expect("click 3") == "click 3 200 100"
    assert _xdo(desk, "getmouselocation").startswith("x:0 y:0 ")


def _check_windows(product: Product, desk: Desk, probe: Probe) -> None:  # noqa: F811
    _run(product, desk, WINDOWS)
    listed = (product.home / "windows.txt").read_text(encoding="utf-8").splitlines()
    assert listed[0] == f"flowprobe: {TITLE} at 0,0, 800x600", listed
    assert "Geometry: 800x600" in _xdo(desk, "search", "--name", TITLE, "getwindowgeometry")


def _shot(product: Product) -> Path:
    return product.home / "Pictures" / f"invoice-{_today()}.png"


def _check_shot(product: Product, desk: Desk, probe: Probe) -> None:  # noqa: F811
    _run(product, desk, SHOT)
    picture = Image.open(_shot(product)).convert("RGB")
    assert picture.size == (420, 300)  # the window's content, no title bar
    assert picture.getpixel((5, 5)) == (255, 255, 255)
    assert picture.getpixel((41, 121)) == (0, 0, 0)  # the probe's pattern at (40, 120): black with orange inside
    assert picture.getpixel((50, 130)) == (255, 136, 0)


def _check_find(product: Product, desk: Desk, probe: Probe) -> None:  # noqa: F811
    _run(product, desk, SHOT)  # as the text says: cut the button out of a screenshot
    Image.open(_shot(product)).crop((40, 120, 62, 142)).save(product.home / "Pictures" / "save-button.png")
    out = _run(product, desk, FIND)
    assert probe.expect("click 1") == "click 1 51 131"  # the centre of the 22x22 picture cut at (40, 120)
    assert "not on the screen" not in out


def _check_read(product: Product, desk: Desk, probe: Probe) -> None:  # noqa: F811
    _run(product, desk, READ)
    assert (product.home / "invoice-line.txt").read_text(encoding="utf-8").strip() == "Invoice 4711 paid"


CHECKS: dict[str, Callable[[Product, Desk, Probe], None]] = {
    TYPE: _check_type,
    MOUSE: _check_mouse,
    WINDOWS: _check_windows,
    SHOT: _check_shot,
    FIND: _check_find,
    READ: _check_read,
}


@pytest.mark.xdisplay
@pytest.mark.promise("desktop.md", "Example: type into a window and save")
@pytest.mark.promise("desktop.md", "Example: click, drag and scroll in a window")
@pytest.mark.promise("desktop.md", "Example: line up a window and list the open ones")
@pytest.mark.promise("desktop.md", "Example: a screenshot of one window")
@pytest.mark.promise("desktop.md", "Example: find a button on the screen and click it")
@pytest.mark.promise("desktop.md", "Example: read a line of text off the screen")
@pytest.mark.parametrize("heading", list(CHECKS), ids=[c.__name__.removeprefix("_check_") for c in CHECKS.values()])
def test_the_block_examples_do_what_their_text_says(
    heading: str,
    product: Product,
    desk: Desk,  # noqa: F811 (a fixture)
    invoice: Probe,
) -> None:
    """Each keyboard, mouse, window and screen example, run by `flowdeck run` as written, does what its text says
    to an Invoice window: the text typed and Ctrl+S pressed, the double-click, drag, right-click and scroll at the
    window's coordinates, the window moved and the list written, the screenshot showing the window, the button
    found and clicked at its centre, the line of text read by OCR."""
    CHECKS[heading](product, desk, invoice)


@pytest.mark.promise("desktop.md", "Example: a question with buttons, then a form")
@pytest.mark.promise("desktop.md", "Example: ask for one value")
def test_without_the_app_the_ask_examples_take_their_defaults(product: Product) -> None:
    """Run by `flowdeck run`, nobody is asked: the buttons example takes Later and writes `later (answered: False)`,
    the printer example writes Office."""
    for heading, path in _write(product, ASK, PICK).items():
        done = product.run("run", str(path))
        assert done.returncode == 0, f"'{heading}': {done.stdout}{done.stderr}"
    assert (product.home / "report-answers.txt").read_text(encoding="utf-8") == "later (answered: False)"
    assert (product.home / "printer.txt").read_text(encoding="utf-8") == "Office"


def _succeeded(product: Product, workflow: str) -> bool:
    return any(r["status"] == "succeeded" for r in product.history(workflow))


def _maximised(app: Desktop, title: str) -> bool:
    wid = app.window_named(title)
    return wid is not None and min(a - b for a, b in zip(app.geometry(wid), (1200, 700), strict=True)) > 0


@pytest.mark.xdisplay
@pytest.mark.promise("desktop.md", "Hotkey example: a screenshot on Ctrl+Alt+S")
@pytest.mark.promise("desktop.md", "Window example: maximise a window when it opens")
@pytest.mark.promise("desktop.md", "Clipboard example: keep every copied link")
def test_in_the_app_the_trigger_examples_fire(tray_on_desk: Desk, product: Product) -> None:  # noqa: F811
    """In the app, as written: Ctrl+Alt+S saves one screenshot of the whole screen in ~/Pictures, an Invoice window
    fills the screen a moment after it opens, and a copied link becomes a line of ~/links.txt (copied text that is
    not a link does not)."""
    _write(product, HOTKEY, WINDOW, CLIPBOARD)
    pictures, links = product.home / "Pictures", product.home / "links.txt"
    x = tray_on_desk.x
    app = started(x, product)
    window = None
    try:
        time.sleep(0.5)  # the watchers' grabs are in place once the service has started
        app.xdo("key", "ctrl+alt+s")
        assert wait_until(lambda: _succeeded(product, "Screenshot on Ctrl+Alt+S"), 15), product.history()
        shots = list(pictures.glob("screen-*.png"))  # the PNG is whole once its run has finished
        assert len(shots) == 1, shots
        assert Image.open(shots[0]).size == (1280, 800)
        window = subprocess.Popen([sys.executable, str(PROBE), "Invoice 12"], env=x.env(), stdout=subprocess.DEVNULL)
        app.wait_for(lambda: _maximised(app, "Invoice 12"), "the Invoice window is maximised", 15)
        for text in ("not a link", "https://flowdeck.example/a"):
            subprocess.run([sys.executable, str(PROBE), "--copy", text], env=x.env(), timeout=10, check=True)
        assert wait_until(links.exists, 15)
        time.sleep(0.5)  # nothing more comes
        assert links.read_text(encoding="utf-8").splitlines() == ["https://flowdeck.example/a"]
        assert len(list(pictures.glob("screen-*.png"))) == 1
        assert {r["status"] for r in product.history()} == {"succeeded"}
    finally:
        if window is not None:
            window.terminate()
            window.wait(5)
        app.stop()


@pytest.mark.xdisplay
@pytest.mark.promise("desktop.md", "Example: a question with buttons, then a form")
@pytest.mark.promise("desktop.md", "Example: ask for one value")
def test_in_the_app_the_ask_examples_are_answered_through_their_dialogs(
    tray_on_desk: Desk,  # noqa: F811 (a fixture)
    product: Product,
) -> None:
    """Run from the tray's Run menu, the printer example offers Office and Home: Home picked and Enter pressed,
    ~/printer.txt says Home. The buttons example shows "Send the weekly report?" with Send and Later; Send opens
    "Report details" with the defaults filled in; the address changed and Enter pressed, ~/report-answers.txt says
    `send to boss@example.com, week 49, urgent False`."""
    _write(product, ASK, PICK)
    out, printer = product.home / "report-answers.txt", product.home / "printer.txt"
    app = started(tray_on_desk.x, product)
    try:
        app.tray_menu("r", "Return")  # Run ▸ Pick a printer (the first of the two)
        app.wait_for(lambda: app.window_named("Print on which printer?") is not None, "the question is shown", 30)
        app.keys(app.window_named("Print on which printer?"), "Down", "Return")  # the list has the focus
        assert wait_until(printer.exists, 15)
        assert printer.read_text(encoding="utf-8") == "Home"
        app.tray_menu("r", "Down", "Return")  # Run ▸ Send the weekly report
        app.wait_for(lambda: app.window_named("Send the weekly report?") is not None, "the question is shown", 30)
        app.keys(app.window_named("Send the weekly report?"), "space")  # the first button, Send, has the focus
        app.wait_for(lambda: app.window_named("Report details") is not None, "the form is shown")
        form = app.window_named("Report details")
        app.keys(form, "ctrl+a")
        app.type(form, "boss@example.com")
        app.keys(form, "Return")
        assert wait_until(out.exists, 15)
        assert out.read_text(encoding="utf-8") == "send to boss@example.com, week 49, urgent False"
    finally:
        app.stop()
