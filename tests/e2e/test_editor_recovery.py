"""docs/editor.md, Files: unsaved work in the editor of the real app (Xvfb, trayer, its own HOME) is written to a
recovery file every minute, and after a crash (kill -9) the next start offers it back.

The places clicked are those of tests/e2e/test_editor_files.py (the default layout, no window manager).
"""

from __future__ import annotations

import subprocess

import pytest
import yaml

from tests.e2e.desktop import started
from tests.e2e.test_editor_files import HAND, NAME, click, editor
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

pytestmark = pytest.mark.xdisplay


@pytest.mark.promise("editor.md", "Files")
def test_unsaved_work_is_autosaved_every_minute_and_offered_back_after_a_crash(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product
) -> None:
    """While you work, unsaved changes are written to a recovery file every minute (never over your own file); if
    Flowdeck closes unexpectedly, the next start offers to restore them."""
    path = product.write("hand.yaml", HAND)
    recovery = product.state / "flowdeck" / "recovery"
    app, window = editor(xdisplay, product, path)
    try:
        click(app, NAME)
        app.keys(window, "ctrl+a")
        app.type(window, "Renamed flow")
        app.wait_title(window, "Flowdeck — hand.yaml*")
        assert wait_until(lambda: list(recovery.glob("*.yaml")), 65, 0.5), "a recovery file within the minute"
        (autosaved,) = recovery.glob("*.yaml")
        assert yaml.safe_load(autosaved.read_text())["name"] == "Renamed flow"
        assert path.read_text() == HAND, "your own file is not written"
        app.proc.kill()  # Flowdeck closes unexpectedly
        app.proc.wait(10)
    finally:
        app.stop()
    again = started(xdisplay, product)
    try:
        again.wait_for(lambda: again.window_named("Restore unsaved work?") is not None, "the restore question")
        again.press_in("Restore unsaved work?", "alt+y")
        window = again.main_window()
        again.wait_title(window, "Flowdeck — hand.yaml*")
        again.keys(window, "ctrl+s")
        again.wait_title(window, "Flowdeck — hand.yaml")
        assert yaml.safe_load(path.read_text())["name"] == "Renamed flow", "the restored work saves to the file"
        assert not list(recovery.glob("*.yaml")), "the recovery file is gone once restored"
    finally:
        again.stop()
