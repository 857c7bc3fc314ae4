"""The Desktop action blocks, run by `flowdeck run` on a real X display with a window manager, against a Tk window
that reports every key and click it gets (tests/support/desk_probe.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.support.desk import Desk, Probe, desk, desk_display, probe  # noqa: F401
from tests.support.product import Product

pytestmark = pytest.mark.xdisplay

FLOW = """
flowdeck: 1
name: Fill in the probe
steps:
  wait:
    do: window.wait
    with: {title: "Flowdeck*", until: open, timeout: 10s}
    next: front
  front:
    do: window.activate
    with: {app: flowprobe}
    next: type
  type:
    do: keys.type
    with: {text: "Paid on {{ '2026' }}", delay: 2ms}
    next: save
  save:
    do: keys.press
    with: {keys: ctrl+s}
    next: click
  click:
    do: mouse.click
    with: {x: 300, y: 50, app: flowprobe, count: 2}
    next: shot
  shot:
    do: screen.shot
    with: {path: shot.png, app: flowprobe}
    next: find
  find:
    do: screen.find
    with: {image: pattern.png, confidence: 0.9, timeout: 2s}
    next:
      found: point
      missing: lost
  point:
    do: mouse.click
    with: {x: "{{ steps.find.x }}", y: "{{ steps.find.y }}", button: right}
    next: read
  lost:
    do: fail
    with: {message: "the pattern was not found"}
  read:
    do: screen.read
    with: {app: flowprobe, x: 10, y: 190, width: 390, height: 50}
    next: windows
  windows:
    do: window.list
    with: {app: flowprobe}
    next: big
  big:
    do: window.state
    with: {app: flowprobe, state: maximize}
    next: report
  report:
    do: log
    with:
      message: "READ={{ steps.read.text }} AT={{ steps.find.left }},{{ steps.find.top }} N={{ steps.windows.count }}
        W={{ steps.big.window.width }}"
"""


def _pattern(path: Path) -> None:
    """The probe's drawing cut at (40, 120): black, then orange from 48 (the oval starts further right)."""
    image = Image.new("RGB", (22, 22), "#000000")
    image.paste((255, 136, 0), (8, 8, 22, 22))
    image.save(path)


@pytest.mark.promise("desktop.md", "Keyboard and mouse")
@pytest.mark.promise("desktop.md", "Screen: screenshots, finding an image, reading text")
@pytest.mark.promise("blocks.md", "`keys.type` — Type text")
@pytest.mark.promise("blocks.md", "`mouse.click` — Click")
@pytest.mark.promise("blocks.md", "`screen.find` — Find image on screen")
@pytest.mark.promise("blocks.md", "`screen.read` — Read text on screen")
def test_a_workflow_types_clicks_finds_reads_and_shoots_a_real_window(
    product: Product,
    desk: Desk,  # noqa: F811 (a fixture)
    probe: Probe,  # noqa: F811
) -> None:
    """A workflow waits for the window, types into it, presses ctrl+s, double-clicks in it (window coordinates),
    finds a drawn pattern and right-clicks its centre, reads a line of text by OCR and saves a screenshot of the
    window: the window reports each key and click at the right place, the PNG shows what the window drew."""
    flow = product.write("probe.yaml", FLOW)
    _pattern(product.workspace / "pattern.png")
    done = product.run("run", str(flow), env={"DISPLAY": desk.x.display})
    assert done.returncode == 0, done.stdout + done.stderr
    assert probe.expect("text Paid on 2026") == "text Paid on 2026"
    assert probe.expect("key s").split()[2] == "4"  # with Control held
    assert probe.expect("double") == "double 300 50"
    assert probe.expect("click 3") == "click 3 51 131"  # the centre of the 22x22 pattern at (40, 120)
    assert "READ=Invoice 4711 paid" in done.stdout
    assert f"AT={probe.origin[0] + 40},{probe.origin[1] + 120}" in done.stdout  # screen coordinates
    assert "N=1" in done.stdout
    assert int(re.search(r"W=(\d+)", done.stdout).group(1)) > 1000, "window.state gives the window as it is after"
    shot = Image.open(product.workspace / "shot.png").convert("RGB")
    assert shot.size == (420, 300)
    drawn = shot.crop((40, 120, 62, 142))
    assert ImageChops.difference(drawn, Image.open(product.workspace / "pattern.png").convert("RGB")).getbbox() is None
    assert shot.getpixel((5, 5)) == (255, 255, 255)


@pytest.mark.promise("desktop.md", "Wayland")
def test_on_wayland_a_desktop_step_fails_in_one_line_naming_what_does_not_work(product: Product) -> None:
    """In a Wayland session without X11 the step fails with one line saying which blocks and triggers need X11."""
    flow = product.write("w.yaml", "flowdeck: 1\nname: W\nsteps:\n  t:\n    do: keys.type\n    with: {text: hi}\n")
    done = product.run("run", str(flow), env={"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"})
    assert done.returncode == 1
    assert "this is a Wayland session" in done.stdout + done.stderr
    assert "need an X11 session" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
