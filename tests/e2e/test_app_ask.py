"""Ask blocks in the app and in the daemon (docs/desktop.md, "Asking the person").

In the app a run is in a run process of its own; its question crosses over to the app's window process, which
shows the dialog, and the answer crosses back. The person here is xdotool on Xvfb; the workflow writes down what
it got. The daemon has nobody to ask: the default is taken, or the step fails in one line.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.e2e.desktop import started
from tests.support.product import Product, wait_until
from tests.support.xdisplay import XDisplay

ASKS = """flowdeck: 1
name: Asks
steps:
  name:
    do: ask.input
    with: {{title: Your name?, timeout: 1m}}
    next: send
  send:
    do: ask.message
    with: {{title: Send it?, buttons: [Send, Skip], default: Skip, timeout: 3s}}
    next: pid
  pid:
    do: program.run
    with: {{command: [sh, -c, 'echo $PPID']}}
    next: write
  write:
    do: file.write
    with:
      path: "{out}"
      content: >-
        {{{{ steps.name.answer }}}} {{{{ steps.name.answered }}}} {{{{ steps.send.answer }}}}
        {{{{ steps.send.answered }}}} {{{{ steps.pid.stdout | trim }}}}
"""
DAEMON = """flowdeck: 1
name: {name}
triggers:
  - startup: {{}}
steps:
  send:
    do: ask.message
    with: {{title: Send it?, buttons: [Send, Skip]{default}}}
    next: write
  write:
    do: file.write
    with: {{path: "{out}", content: "{{{{ steps.send.answer }}}} {{{{ steps.send.answered }}}}"}}
"""


@pytest.mark.xdisplay
@pytest.mark.promise("desktop.md", "Asking the person")
def test_in_the_app_a_run_process_waits_for_the_persons_answer(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product
) -> None:
    """A run of the app's service (in its own process) shows its question as a dialog of the app's window,
    waits for the person's answer and gets it; an unanswered question closes after its timeout with the default."""
    out = product.home / "answers.txt"
    product.write("asks.yaml", ASKS.format(out=out))
    app = started(xdisplay, product)
    try:
        app.tray_menu("r", "Return")  # Run ▸ Asks
        app.wait_for(lambda: app.window_named("Your name?") is not None, "the question is shown", timeout=30)
        dialog = app.window_named("Your name?")
        assert dialog is not None
        time.sleep(1.0)  # the person reads the question; the run must still be waiting, not done
        assert not out.exists()
        app.type(dialog, "Ann Lee")
        app.keys(dialog, "Return")
        app.wait_for(lambda: app.window_named("Send it?") is not None, "the second question is shown")
        app.wait_log(r"run finished: Asks succeeded", timeout=30)  # nobody pressed a button: Skip after 3 s
        assert wait_until(out.exists)
        *answers, runner = out.read_text().split()
        assert answers == ["Ann", "Lee", "True", "Skip", "False"]
        assert int(runner) != app.proc.pid  # the run was in a run process, not in the window's process
        assert app.window_named("Send it?") is None  # the dialog closed itself when its time was up
    finally:
        app.stop()


@pytest.mark.promise("desktop.md", "Asking the person")
def test_the_daemon_takes_the_default_or_fails_in_one_line(product: Product) -> None:
    """In `flowdeck daemon` nobody is asked: a block with a default takes it (answered false), one without fails
    its run with the one line that says to give it a default."""
    took, failed = product.home / "took.txt", product.home / "failed.txt"
    product.write("took.yaml", DAEMON.format(name="Took", default=", default: Skip", out=took))
    product.write("failed.yaml", DAEMON.format(name="Failed", default="", out=failed))
    with product.daemon() as daemon:
        assert wait_until(took.exists), daemon.log
        assert wait_until(lambda: any(r["status"] == "failed" for r in product.history())), daemon.log
    assert took.read_text() == "Skip False"
    assert not failed.exists()
    run = next(r for r in product.history() if r["status"] == "failed")
    assert run["workflow"] == "Failed"
    assert (
        "ask.message asks the person, but this run has nobody to ask (it is not in the Flowdeck app): give it a "
        "default to take when there is no desktop"
    ) in json.dumps(run)
    assert "Traceback" not in daemon.log


@pytest.mark.xdisplay
@pytest.mark.promise("desktop.md", "Asking the person")
def test_a_question_closed_without_an_answer_fails_its_step_saying_so(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product
) -> None:
    """The person closes the question with Esc: a step without a default fails, and its error says the question
    was closed (not that its time ran out)."""
    product.write("asks.yaml", ASKS.format(out=product.home / "answers.txt"))
    app = started(xdisplay, product)
    try:
        app.tray_menu("r", "Return")  # Run ▸ Asks
        app.wait_for(lambda: app.window_named("Your name?") is not None, "the question is shown", timeout=30)
        app.keys(app.window_named("Your name?"), "Escape")
        app.wait_log(r"run finished: Asks failed", timeout=30)
        (run,) = product.history("Asks")
        assert run["error"]["step"] == "name", run
        words = "the question was closed without an answer, and ask.input has no default"
        assert run["error"]["message"].startswith(words), run
    finally:
        app.stop()
