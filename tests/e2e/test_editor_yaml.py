"""docs/editor.md, Editing the YAML and Fixing typos in one click: in the real app (Xvfb, its own HOME), a typo's fix
is one click in Problems, text typed in the YAML tab becomes the workflow, and Save writes both with the person's
comment kept; `flowdeck validate` then accepts the file.

Places clicked are those of the window's default layout at the default size (1088x680 on the 1280x800 screen).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.e2e.test_editor_files import click, editor
from tests.support.product import Product
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay

TYPO = """flowdeck: 1
name: Typo
steps:
  fetch:
    do: htttp.request   # the shop's API
    with: {url: "http://127.0.0.1:9/"}
"""
YAML_TAB = (411, 461)  # the YAML tab under the canvas
FIX = (1003, 509)  # the fix button on the first row of Problems
TEXT = (550, 300)  # inside the YAML text


@pytest.mark.promise("editor.md", "Fixing typos in one click")
@pytest.mark.promise("editor.md", "Editing the YAML")
def test_fix_a_typo_and_type_yaml_then_save(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """The unknown block's problem offers "Change to http.request": one click mends it; a line typed in the YAML tab
    (a title) becomes part of the workflow; Save writes both and keeps the comment written beside the block."""
    path = product.write("typo.yaml", TYPO)
    app, window = editor(xdisplay, product, path)
    try:
        app.shot(tmp_path / "opened.png")
        click(app, FIX)
        app.wait_title(window, "Flowdeck — typo.yaml*")
        click(app, YAML_TAB)
        click(app, TEXT)
        app.keys(window, "ctrl+End")
        app.type(window, "    title: Ask the shop")
        time.sleep(1.0)  # a pause in typing: the text becomes the workflow
        app.shot(tmp_path / "typed.png")
        app.keys(window, "ctrl+s")
        app.wait_title(window, "Flowdeck — typo.yaml")
        saved = path.read_text()
        step = yaml.safe_load(saved)["steps"]["fetch"]
        assert step["do"] == "http.request" and step["title"] == "Ask the shop", saved
        assert "# the shop's API" in saved, saved
        checked = product.run("validate", str(path))
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        app.stop()
