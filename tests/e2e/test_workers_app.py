"""The app as a worker of a daemon's broker (docs/scaling.md, "The app as a desktop worker"): a daemon with
--broker in one account, the Flowdeck app in another (its own HOME) set to "Run desktop jobs for a broker"; a run
with a Desktop block and an ask block goes to the app, whose dialog the person (xdotool on Xvfb) answers."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop, started
from tests.e2e.test_workers import HEARTBEAT, _daemon, _runs
from tests.support.product import Product, wait_until
from tests.support.redis import RedisServer
from tests.support.xdisplay import XDisplay

ASKS = """flowdeck: 1
name: Front desk
triggers:
  - startup: {{}}
steps:
  name: {{do: ask.input, with: {{title: Who is at the desk?, timeout: 1m}}, next: typing}}
  typing: {{do: keys.type, with: {{text: hello}}, next: write}}
  write: {{do: file.write, with: {{path: "{out}", content: "{{{{ steps.name.answer }}}}"}}}}
"""


def _as_worker(account: Product, url: str) -> None:
    """The Settings the person saved: "Run desktop jobs for a broker", with the daemon's URL."""
    ini = account.config / "Flowdeck" / "Flowdeck.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text(f"[General]\nwebhook_port=0\nbroker_worker=true\nbroker_url={url}\nbroker_workers=1\n")


@pytest.mark.xdisplay
@pytest.mark.promise("scaling.md", "The app as a desktop worker")
def test_the_app_takes_a_desktop_run_from_the_broker_and_asks_in_its_own_dialog(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, redis_url: str, tmp_path: Path
) -> None:
    """The daemon's workflow has an `ask.input` and a `keys.type` block and no runs_on. The app, set as a worker,
    says in its log that it is worker@HOST for the broker; the run goes to it: the question is a dialog of the app's
    own process, the person types the answer and presses Return, the keys are typed on the app's display, and the
    daemon's history has the run succeeded on worker@HOST with every step."""
    out = tmp_path / "answer.txt"
    product.write("desk.yaml", ASKS.format(out=out))
    desk = Product(tmp_path / "desk")
    _as_worker(desk, redis_url)
    host = socket.gethostname().split(".")[0]
    app = started(xdisplay, desk, env={"FLOWDECK_HEARTBEAT_TIMEOUT": HEARTBEAT})
    try:
        app.wait_log(rf"Worker worker@{host} for {redis_url} \(1 at a time, tags: desktop\)")
        with _daemon(product, redis_url) as daemon:
            app.wait_for(lambda: app.window_named("Who is at the desk?") is not None, "the question is shown", 30)
            dialog = app.window_named("Who is at the desk?")
            assert dialog is not None
            assert int(app.xdo("getwindowpid", str(dialog))) == app.proc.pid  # the app's dialog, not another's
            app.type(dialog, "Ann")
            app.keys(dialog, "Return")
            assert wait_until(lambda: [r for r in _runs(product) if r["status"] != "running"], 30), daemon.log
        (run,) = product.history("Front desk")
        assert (run["status"], run["source"]) == ("succeeded", f"startup on worker@{host}"), run
        assert out.read_text() == "Ann"
        steps = product.run("history", "--run", run["run_id"]).stdout
        assert "typing [keys.type] succeeded" in steps, steps
        assert "Traceback" not in app.log_text()
    finally:
        app.stop()


@pytest.mark.xdisplay
@pytest.mark.promise("scaling.md", "The app as a desktop worker")
def test_a_broker_that_does_not_answer_is_one_line_and_the_app_connects_when_it_is_back(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, tmp_path: Path
) -> None:
    """With a broker that is not there, the app says so in one line of its log (trying again every 5 s), its window
    stays responsive (Settings opens at once), and once the Redis server starts the app connects by itself."""
    server = RedisServer(tmp_path / "redis")
    (tmp_path / "redis").mkdir()
    _as_worker(product, server.url)
    app: Desktop = started(xdisplay, product)
    try:
        line = app.wait_log(rf"Worker for {server.url}: the broker {server.url} cannot be reached: .*; trying again "
                            r"every 5 s")  # fmt: skip
        asked = time.monotonic()
        app.tray_menu("s")  # Settings…
        app.wait_for(lambda: app.window_named("Flowdeck Settings") is not None, "Settings opens", 5)
        print(f"Settings shown {time.monotonic() - asked:.2f} s after the keys (the menu's own delays included)")
        app.keys(app.window_named("Flowdeck Settings") or 0, "Escape")
        server.start()
        app.wait_log(r"Worker worker@\S+ for " + server.url, timeout=20)
        assert app.log_text().count("cannot be reached") == 1, line.group(0)  # said once, not every 5 s
        assert "Traceback" not in app.log_text()
    finally:
        app.stop()
        server.stop()


@pytest.mark.xdisplay
@pytest.mark.promise("scaling.md", "The app as a desktop worker")
def test_quitting_the_app_ends_its_broker_run_within_seconds_and_the_daemon_records_it(
    xdisplay: XDisplay, tray_host: subprocess.Popen, product: Product, redis_url: str, tmp_path: Path
) -> None:
    """A broker run waits for the person's answer in the app; the person quits Flowdeck from the tray instead. The
    app is gone within seconds, its question closed as unanswered, and the daemon's history has the run ended (its
    ask step failed: no default), not left running."""
    product.write("desk.yaml", ASKS.format(out=tmp_path / "answer.txt"))
    desk = Product(tmp_path / "desk")
    _as_worker(desk, redis_url)
    app = started(xdisplay, desk, env={"FLOWDECK_HEARTBEAT_TIMEOUT": HEARTBEAT})
    try:
        app.wait_log(r"Worker worker@\S+ for ")
        with _daemon(product, redis_url) as daemon:
            app.wait_for(lambda: app.window_named("Who is at the desk?") is not None, "the question is shown", 30)
            asked = time.monotonic()
            assert app.quit() == 0
            took = time.monotonic() - asked
            assert wait_until(lambda: [r for r in _runs(product) if r["status"] != "running"], 15), daemon.log
        (run,) = product.history("Front desk")
        assert (run["status"], run["error"]["step"]) == ("failed", "name"), run
        assert "the Flowdeck app quit before the question was answered" in run["error"]["message"], run
        assert took < 12, took
        print(f"quit to exit: {took:.1f} s; the run: {run['status']} {run.get('error')}")
    finally:
        app.stop()
