"""Webhooks as a person uses them: the real daemon, real HTTP calls from "a phone" (urllib), the real history."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.product import Daemon, Product, wait_until

LIGHTS = """flowdeck: 1
name: Lights
triggers:
  - webhook: {{path: lights, methods: [{methods}]}}
policy: {{overlap: {overlap}}}
steps:
  note:
    do: file.write
    with:
      path: "{out}"
      content: >-
        {{{{ trigger.method }}}} {{{{ trigger.query | tojson }}}} {{{{ trigger.body | tojson }}}}
        {{{{ trigger.headers.get('authorization', 'no-auth') }}}}
      append: true
      newline: true
    next: linger
  linger: {{do: wait, with: {{duration: "{linger}"}}}}
"""
TICK = """flowdeck: 1
name: Tick
triggers:
  - schedule: {every: 1s}
steps:
  a: {do: log, with: {message: tick}}
"""


def lights(product: Product, methods: str = "GET, POST", overlap: str = "parallel", linger: str = "0s") -> Path:
    out = product.home / "lights.txt"
    product.write("lights.yaml", LIGHTS.format(methods=methods, overlap=overlap, out=out, linger=linger))
    return out


def call(url: str, method: str = "POST", body: bytes | None = None, headers: dict[str, str] | None = None,
         ) -> tuple[int, dict[str, Any], dict[str, str]]:  # fmt: skip
    """One HTTP call; the status, the JSON answer ({} when there is none) and the answer's headers."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            status, data, head = answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        status, data, head = exc.code, exc.read(), dict(exc.headers)
    return status, json.loads(data) if data else {}, head


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


@contextmanager
def serving(product: Product, *args: str) -> Iterator[tuple[Daemon, str, str]]:
    """The daemon with webhooks on a free port: (daemon, base URL of /hook/lights, the hook's token)."""
    with product.daemon(*args) as daemon:
        assert daemon.wait_log("watching"), daemon.log
        port = re.search(r"webhooks listen on http://127\.0\.0\.1:(\d+)/", daemon.log)
        assert port, daemon.log
        tokens = product.state / "flowdeck" / "webhook-tokens.json"
        assert wait_until(tokens.exists), daemon.log
        yield daemon, f"http://127.0.0.1:{port.group(1)}/hook/lights", json.loads(tokens.read_text())["lights"]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def webhook_runs(product: Product) -> list[dict[str, Any]]:
    return product.history_rows("SELECT * FROM runs WHERE source = 'webhook' ORDER BY started")


@pytest.mark.promise("triggers.md", "Webhook")
def test_a_phone_calls_a_get_hook_with_its_query(product: Product) -> None:
    """A hook answers the methods its trigger lists (GET from a phone); the run sees trigger.method, the query
    (without the token), the headers (without Authorization) and the body; every accepted call has its history row."""
    out = lights(product)
    with serving(product) as (daemon, url, token):
        assert len(token) >= 24 and (product.state / "flowdeck" / "webhook-tokens.json").stat().st_mode & 0o077 == 0
        status, answer, _ = call(f"{url}?token={token}&state=on&room=hall", "GET")
        assert status == 202 and answer["status"] == "accepted", answer
        assert wait_until(lambda: lines(out)) == ['GET {"room": "hall", "state": "on"} null no-auth']
        status, answer, _ = call(url + "?state=off", "POST", b'{"level": 3}',
                                 {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
        assert status == 202, answer
        assert wait_until(lambda: len(lines(out)) == 2)
        assert lines(out)[1] == 'POST {"state": "off"} {"level": 3} no-auth'
        assert wait_until(lambda: len(webhook_runs(product)) == 2 and all(r["finished"] for r in webhook_runs(product)))
        rows = webhook_runs(product)
        assert [r["status"] for r in rows] == ["succeeded", "succeeded"]
        assert [json.loads(r["trigger"])["method"] for r in rows] == ["GET", "POST"]
        assert token not in json.dumps(rows), "the token reached the history"
    assert "Traceback" not in daemon.log


@pytest.mark.promise("triggers.md", "Webhook")
def test_the_lights_example_works_from_a_phone(product: Product) -> None:
    """The shipped example (resources/examples/webhook-script.yaml): a phone's GET of /hook/lights?token=...&state=on
    runs ~/scripts/lights.py with that state, using the token Flowdeck made for the hook."""
    from tests.support.product import REPO

    example = (REPO / "resources" / "examples" / "webhook-script.yaml").read_text(encoding="utf-8")
    product.write("lights.yaml", example)
    seen = product.home / "lights-state.txt"
    product.write("lights.py", f"open({str(seen)!r}, 'a').write(inputs['state'] + '\\n')\nresult = 'done'\n",
                  folder=product.home / "scripts")  # fmt: skip
    with serving(product) as (daemon, url, token):
        assert call(f"{url}?token={token}&state=on", "GET")[0] == 202
        assert wait_until(lambda: lines(seen) == ["on"]), daemon.log
        assert wait_until(lambda: [r["status"] for r in webhook_runs(product)] == ["succeeded"])  # overlap: skip
        assert call(f"{url}?token={token}", "POST")[0] == 202
        assert wait_until(lambda: lines(seen) == ["on", "toggle"]), daemon.log
        assert call(f"{url}?state=off", "GET")[0] == 401
        assert wait_until(lambda: [r["status"] for r in webhook_runs(product)] == ["succeeded"] * 2)
        time.sleep(0.3)
        assert lines(seen) == ["on", "toggle"]


@pytest.mark.promise("triggers.md", "Webhook")
def test_each_listed_method_runs_and_others_get_a_json_405(product: Product) -> None:
    """GET, POST, PUT, PATCH and DELETE start a run when the trigger lists them; a method it does not list, and
    HEAD, OPTIONS and TRACE, get 405 with an Allow header naming the hook's methods (JSON, no run); a method HTTP
    does not know gets a JSON 501."""
    out = lights(product, methods="GET, POST, PUT, PATCH, DELETE")
    with serving(product) as (_daemon, url, token):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            body = b'{"m": "%s"}' % method.encode() if method in ("POST", "PUT", "PATCH") else None
            status, answer, _ = call(f"{url}?token={token}", method, body, {"Content-Type": "application/json"})
            assert status == 202, (method, answer)
        assert wait_until(lambda: len(lines(out)) == 5)
        assert sorted(line.split(" ")[0] for line in lines(out)) == ["DELETE", "GET", "PATCH", "POST", "PUT"]
        assert any(line.startswith('PUT {} {"m": "PUT"}') for line in lines(out)), lines(out)
        for method in ("HEAD", "OPTIONS", "TRACE"):
            status, answer, head = call(f"{url}?token={token}", method)
            assert status == 405 and head["Allow"] == "GET, POST, PUT, PATCH, DELETE", (method, status, head)
            assert head["Content-Type"] == "application/json"
            if method != "HEAD":  # an answer to HEAD has no body
                assert "not " + method in answer["error"]
        status, answer, head = call(f"{url}?token={token}", "BREW")
        assert status == 501 and "method BREW is not supported" in answer["error"]
        assert wait_until(lambda: len(webhook_runs(product)) == 5)
        time.sleep(0.3)
        assert len(webhook_runs(product)) == 5 and len(lines(out)) == 5  # the refused calls ran nothing


@pytest.mark.promise("triggers.md", "Webhook")
def test_a_post_hook_refuses_get_with_405(product: Product) -> None:
    """Without ``methods`` a hook answers POST only: GET gets 405 JSON with ``Allow: POST``."""
    out = product.home / "lights.txt"
    product.write("lights.yaml", LIGHTS.format(methods="POST", overlap="skip", out=out, linger="0s").replace(
        ", methods: [POST]", ""))  # fmt: skip
    with serving(product) as (_daemon, url, token):
        status, answer, head = call(f"{url}?token={token}", "GET")
        assert (status, head["Allow"]) == (405, "POST") and "answers POST, not GET" in answer["error"]
        assert call(f"{url}?token={token}", "POST")[0] == 202
        assert wait_until(lambda: len(lines(out)) == 1)


@pytest.mark.promise("triggers.md", "Webhook")
def test_a_method_name_that_is_not_one_is_refused_by_validation(product: Product) -> None:
    """A name in ``methods`` that is not GET, POST, PUT, PATCH or DELETE is a validation error at the option's
    line and column (the file is not armed); a method HTTP does not know gets a JSON 501 from any hook."""
    lights(product, methods="get, FETCH")
    checked = product.run("validate", str(product.workspace / "lights.yaml"))
    assert checked.returncode == 1
    assert re.search(r"lights\.yaml:\d+:\d+: triggers\[0\]\.webhook\.methods: 'FETCH': expected one or a list of "
                     r"GET, POST, PUT, PATCH, DELETE", checked.stderr + checked.stdout), checked.stderr  # fmt: skip
    out = lights(product, methods="get")
    with serving(product) as (_daemon, url, token):
        assert call(f"{url}?token={token}", "GET")[0] == 202
        assert wait_until(lambda: len(lines(out)) == 1)
        status, _, head = call(f"{url}?token={token}", "FETCH")
        assert status == 501 and "Allow" not in head  # not a method HTTP knows: no hook answers it


@pytest.mark.promise("triggers.md", "Webhook")
def test_a_hook_without_a_token_in_its_file_still_asks_for_one(product: Product) -> None:
    """Every hook asks for a token: a trigger without ``token`` gets one made by Flowdeck, kept in
    webhook-tokens.json across restarts; a missing or wrong token is 401 JSON and starts no run."""
    out = lights(product)
    with serving(product) as (_daemon, url, token):
        for given in ("", "?token=wrong", f"?token={token[:-1]}"):
            status, answer, _ = call(url + given, "GET")
            assert status == 401 and answer == {"error": "wrong or missing token"}, given
        status, _, _ = call(url, "POST", b"{}", {"X-Flowdeck-Token": "nope"})
        assert status == 401
        time.sleep(0.3)
        assert lines(out) == [] and webhook_runs(product) == []
    with serving(product) as (_daemon, url, again):
        assert again == token  # the URL given to the phone keeps working after a restart
        assert call(f"{url}?token={token}", "GET")[0] == 202
        assert wait_until(lambda: len(lines(out)) == 1)


@pytest.mark.promise("triggers.md", "Webhook")
def test_body_limits_are_400_and_413_before_any_run(product: Product) -> None:
    """A JSON body nested deeper than 64 levels gets 400 naming the limit (also 100,000 levels, which the JSON
    parser itself cannot read), a body over 1 MB gets 413; both before anything runs. 64 levels are accepted."""
    out = lights(product)
    with serving(product) as (daemon, url, token):
        head = {"Content-Type": "application/json", "X-Flowdeck-Token": token}
        for depth in (65, 600, 100_000):
            status, answer, _ = call(url, "POST", nested(depth), head)
            assert status == 400, (depth, answer)
            assert answer["error"] == "the JSON body nests deeper than 64 levels (the limit is 64)"
        status, answer, _ = call(url, "POST", b"[" + b"1," * 600_000 + b"1]", head)
        assert status == 413 and "the limit is 1000000" in answer["error"]
        time.sleep(0.3)
        assert lines(out) == [] and webhook_runs(product) == []
        assert call(url, "POST", nested(64), head)[0] == 202
        assert wait_until(lambda: len(lines(out)) == 1)
    assert "Traceback" not in daemon.log
    assert daemon.log.count("nests deeper than 64 levels") == 3


@pytest.mark.promise("triggers.md", "Webhook")
def test_deep_bodies_do_not_stop_the_service(product: Product) -> None:
    """Eight calls with 600-deep JSON bodies (with and without the token) start nothing and stop nothing:
    schedules still fire afterwards and the next good call runs."""
    out = lights(product)
    with serving(product) as (daemon, url, token):

        def attack(i: int) -> int:
            head = {"Content-Type": "application/json", **({"X-Flowdeck-Token": token} if i % 2 else {})}
            return call(url, "POST", nested(600), head)[0]

        with ThreadPoolExecutor(8) as pool:
            assert sorted(pool.map(attack, range(8))) == [400] * 4 + [401] * 4
        product.write("tick.yaml", TICK)
        assert wait_until(lambda: product.history_rows("SELECT * FROM runs WHERE workflow = 'Tick' AND status = "
                                                       "'succeeded'"), timeout=30), daemon.log  # fmt: skip
        assert call(f"{url}?token={token}", "POST", b'{"ok": 1}', {"Content-Type": "application/json"})[0] == 202
        assert wait_until(lambda: len(lines(out)) == 1)
        assert wait_until(lambda: [r["status"] for r in webhook_runs(product)] == ["succeeded"])
    assert "Traceback" not in daemon.log and "RecursionError" not in daemon.log


@pytest.mark.promise("triggers.md", "Webhook")
def test_a_parallel_hook_never_answers_409(product: Product) -> None:
    """A hook with ``policy: {overlap: parallel}`` starts a run for every accepted call, also while others run."""
    out = lights(product, linger="1s")
    with serving(product) as (_daemon, url, token):
        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(lambda i: call(f"{url}?token={token}&n={i}", "GET")[0], range(6)))
        assert statuses == [202] * 6
        assert wait_until(lambda: len(lines(out)) == 6)
        assert wait_until(lambda: len(webhook_runs(product)) == 6)


ENDLESS = """flowdeck: 1
name: Stubborn
triggers:
  - webhook: {path: lights, methods: [GET]}
steps:
  mark:
    do: file.write
    with: {path: "BEGAN", content: began}
    next: spin
  spin:
    do: set
    with: {values: {x: "{{ ('a ' * 4000000) | urlize | length }}"}}  # one filter call: it cannot see a cancel
"""


@pytest.mark.promise("runtime.md", "Cancelling")
def test_sigterm_records_the_run_it_ended_as_cancelled_without_an_error(product: Product) -> None:
    """A run whose process the engine ends itself (a daemon stopped while the run ignores its cancel) is recorded
    as cancelled with an INFO line, not an ERROR about a process that "ended unexpectedly"."""
    began = product.home / "began.txt"
    product.write("stubborn.yaml", ENDLESS.replace("BEGAN", str(began)))
    with serving(product, "--grace", "0.5") as (daemon, url, token):
        assert call(f"{url}?token={token}", "GET")[0] == 202
        # the run is in its process (its row says 'running' from the 202 on, also while it waits for a process)
        assert wait_until(began.exists)
        time.sleep(0.3)  # into its endless step
        assert daemon.stop() == 0
    log = daemon.log
    assert "ended unexpectedly" not in log and " ERROR " not in log, log
    assert re.search(r" INFO the process of run \w+ was ended by Flowdeck", log), log
    assert [r["status"] for r in product.history_rows()] == ["cancelled"]
