"""A webhook's 202 as a promise: the call is in the history, even when the daemon is killed right after answering."""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_webhooks import serving
from tests.support.product import Product

SLOW = """flowdeck: 1
name: Slow
triggers:
  - webhook: {path: lights}
policy: {overlap: parallel}
steps:
  linger: {do: wait, with: {duration: "20s"}}
"""
CLIENTS, CALLS = 4, 10  # 40 calls at once for 4 run processes: most of them wait for a free one


def _calls(url: str, token: str) -> list[str]:
    """``CALLS`` POSTs on one kept-alive connection; the run id of each 202."""
    where = urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=20)
    ids = []
    for i in range(CALLS):
        conn.request("POST", where.path, body=json.dumps({"n": i}), headers={"X-Flowdeck-Token": token})
        answer = conn.getresponse()
        data = json.loads(answer.read())
        assert answer.status == 202, data
        ids.append(data["run_id"])
    conn.close()
    return ids


@pytest.mark.promise("triggers.md", "Webhook")
def test_every_202_is_in_the_history_after_a_kill(product: Product) -> None:
    """Forty calls at once to a hook whose runs take 20 s (so most wait for one of the 4 run processes), then the
    daemon is killed (SIGKILL) right after the last 202: the history, read by `flowdeck history` afterwards, has
    a run for every run id that was answered, none of them left 'running'."""
    product.write("slow.yaml", SLOW)
    with serving(product) as (daemon, url, token):
        with ThreadPoolExecutor(CLIENTS) as pool:
            answered = [i for ids in pool.map(lambda _: _calls(url, token), range(CLIENTS)) for i in ids]
        daemon.kill()
    assert len(set(answered)) == CLIENTS * CALLS
    listed = product.history("Slow")
    runs = {r["run_id"]: r for r in listed}
    missing = [i for i in answered if i not in runs]
    assert not missing, f"{len(missing)} of {len(answered)} answered calls are not in the history"
    assert {runs[i]["status"] for i in answered} == {"interrupted"}
