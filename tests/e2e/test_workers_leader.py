"""Two daemons on one broker, for the triggers that are not schedules: a webhook sent to the standby is answered
503 with Retry-After and the leader's name (never accepted and dropped), and a file dropped in a folder both
daemons watch runs once; after the leader is killed, the standby runs both."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.test_webhooks import call
from tests.e2e.test_workers import HEARTBEAT, _lines, _runs, worker
from tests.support.product import Daemon, Product, wait_until

HOOK = """flowdeck: 1
name: Hook
triggers:
  - webhook: {{path: lights}}
policy: {{overlap: parallel}}
steps:
  mark: {{do: program.run, with: {{command: [sh, -c, "echo hook >> {marks}"]}}}}
"""
INBOX = """flowdeck: 1
name: Inbox
triggers:
  - watch: {{path: "{inbox}", events: [created], debounce: 200ms}}
policy: {{overlap: parallel}}
steps:
  mark: {{do: program.run, with: {{command: [sh, -c, "echo {{{{ trigger.name }}}} >> {marks}"]}}}}
"""


def _hook(product: Product, daemon: Daemon) -> tuple[str, str]:
    """The URL of /hook/lights of ``daemon`` and its token."""
    assert daemon.wait_log("webhooks listen on"), daemon.log
    port = re.search(r"webhooks listen on http://127\.0\.0\.1:(\d+)/", daemon.log)
    tokens = product.state / "flowdeck" / "webhook-tokens.json"
    assert port and wait_until(tokens.exists), daemon.log
    return f"http://127.0.0.1:{port.group(1)}/hook/lights", json.loads(tokens.read_text())["lights"]


@pytest.mark.promise("scaling.md", "Two daemons on one broker")
def test_a_webhook_to_the_standby_is_refused_with_the_leader_and_a_watched_file_runs_once(
    product: Product, redis_url: str, tmp_path: Path
) -> None:
    """Two daemons (each its own HOME and copy of the workspace) watch one shared folder and serve one webhook.
    A call to the standby's hook is answered 503 with Retry-After and a JSON message naming the leader, and runs
    nothing; the same call to the leader runs once. A file dropped in the folder runs once (both daemons saw it).
    With the leader SIGKILLed, the standby takes over: its hook is accepted and a new file runs, once."""
    other = Product(tmp_path / "other")
    inbox, hooks, seen = tmp_path / "inbox", tmp_path / "hooks", tmp_path / "seen"
    inbox.mkdir()
    for account in (product, other):
        account.write("hook.yaml", HOOK.format(marks=hooks))
        account.write("inbox.yaml", INBOX.format(inbox=inbox, marks=seen))
    args = ("--broker", redis_url, "--heartbeat-timeout", HEARTBEAT)
    try:
        with worker(product, redis_url, "--workers", "2"), product.daemon(str(product.workspace), *args) as first:
            assert first.wait_log("this daemon leads"), first.log
            with other.daemon(str(other.workspace), *args) as second:
                assert second.wait_log("takes over when its lease expires"), second.log
                (lead_url, lead_token), (standby_url, standby_token) = _hook(product, first), _hook(other, second)
                status, answer, head = call(f"{standby_url}?token={standby_token}")
                assert status == 503 and int(head["Retry-After"]) >= 1, (status, answer, head)
                assert answer["status"] == "standby" and answer["leader"].startswith("daemon@"), answer
                assert f"{answer['leader']} leads: send the webhook there" in answer["error"], answer
                assert call(f"{lead_url}?token={lead_token}")[0] == 202
                (inbox / "one.txt").write_text("1")
                assert wait_until(lambda: _lines(hooks) and _lines(seen), 30), first.log
                first.kill()
                assert second.wait_log("this daemon leads", timeout=20), second.log
                assert call(f"{standby_url}?token={standby_token}")[0] == 202
                (inbox / "two.txt").write_text("2")
                assert wait_until(lambda: len(_lines(hooks)) >= 2 and len(_lines(seen)) >= 2, 30), second.log
                wait_until(lambda: False, 2.0)  # what a second run of a file would need to show up
        after = {(r["workflow"], r["status"]) for r in _runs(other)}  # the new leader writes its own history
    finally:
        other.close()
    assert _lines(hooks) == ["hook", "hook"]  # the refused call ran nothing
    assert sorted(_lines(seen)) == ["one.txt", "two.txt"]  # each file once, though both daemons saw both
    assert "a webhook trigger came to this daemon, which does not lead" in second.log
    assert after == {("Hook", "succeeded"), ("Inbox", "succeeded")}, after
