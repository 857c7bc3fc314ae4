"""Webhook triggers against the real HTTP server on 127.0.0.1, called with httpx."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from engine.scheduling.service import Service
from tests.engine.scheduling.helpers import lines, service, wait_for

FLOW = """flowdeck: 1
name: hooked
triggers:
  - webhook: {{path: lights{token}}}
policy: {{overlap: parallel}}
outputs:
  got: "{{{{ trigger.body.level }}}}"
steps:
  note:
    do: file.write
    with:
      path: "{out}"
      content: >-
        {{{{ trigger.body.level }}}} {{{{ trigger.query.get('room', '-') }}}}
        {{{{ trigger.headers.get('x-who', '-') }}}}
      append: true
      newline: true
"""


@pytest.fixture
def hooked(tmp_path: Path):
    out = tmp_path / "out.txt"
    svc = service(tmp_path, webhook_port=0)
    (svc.workspace / "lights.yaml").write_text(FLOW.format(token=", token: s3cret", out=out), encoding="utf-8")
    svc.start()
    url = svc.webhook_url(svc.workspace / "lights.yaml")
    assert url is not None and url.startswith("http://127.0.0.1:") and url.endswith("/hook/lights")
    yield svc, url, out
    svc.stop(grace=2)


def test_accepts_with_token_and_passes_body_query_headers(hooked) -> None:
    _svc, url, out = hooked
    r = httpx.post(
        url, params={"room": "hall"}, json={"level": 3}, headers={"X-Flowdeck-Token": "s3cret", "X-Who": "me"}
    )
    assert r.status_code == 202 and len(r.json()["run_id"]) > 4
    assert wait_for(lambda: lines(out) == ["3 hall me"])
    r = httpx.post(url + "?token=s3cret&wait=1", json={"level": 7})
    assert r.status_code == 200
    assert r.json()["status"] == "succeeded" and r.json()["outputs"] == {"got": 7}
    assert lines(out)[-1].startswith("7 ")


def test_refusals_run_nothing(hooked) -> None:
    _svc, url, out = hooked
    assert httpx.post(url, json={"level": 1}).status_code == 401
    assert httpx.post(url, json={"level": 1}, headers={"Authorization": "Bearer nope"}).status_code == 401
    base = url.rsplit("/hook/", 1)[0]
    r = httpx.post(base + "/hook/unknown?token=s3cret", json={})
    assert r.status_code == 404 and "no workflow listens on /hook/unknown" in r.json()["error"]
    r = httpx.post(url + "?token=s3cret", content=b'{"level": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "bad JSON" in r.json()["error"]
    r = httpx.post(url + "?token=s3cret", content=b"x" * 2_000_000, headers={"Content-Type": "text/plain"})
    assert r.status_code == 413 and "too large" in r.json()["error"]
    assert httpx.get(url + "?token=s3cret").status_code == 405
    assert httpx.post(url, headers={"Authorization": "Bearer s3cret"}, data={"level": "f"}).status_code == 202
    assert wait_for(lambda: len(lines(out)) == 1)
    assert lines(out)[0].startswith("f ")  # only the last, authorised, form-encoded call ran


def test_concurrent_calls_each_start_a_run(hooked) -> None:
    _svc, url, out = hooked
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: httpx.post(url + "?token=s3cret", json={"level": i}), range(16)))
    assert [r.status_code for r in results] == [202] * 16
    assert len({r.json()["run_id"] for r in results}) == 16
    assert wait_for(lambda: len(lines(out)) == 16)
    assert sorted(int(x.split()[0]) for x in lines(out)) == list(range(16))


def test_port_in_use_is_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (tmp_path / "ws").mkdir()
        svc = Service(tmp_path / "ws", state_dir=tmp_path / "state", webhook_port=port)
        messages: list[str] = []
        svc.subscribe(lambda e: messages.append(e.message) if e.kind == "error" else None)
        svc.start()
        try:
            assert any(f"cannot listen on 127.0.0.1:{port}" in m and "--port" in m for m in messages), messages
            assert svc.webhook_url(tmp_path / "ws" / "x.yaml") is None
        finally:
            svc.stop(grace=1)


def test_token_from_the_keyring(tmp_path: Path) -> None:
    import keyring

    from engine.runtime.context import KEYRING_SERVICE

    out = tmp_path / "out.txt"
    svc = service(tmp_path, webhook_port=0)
    flow = FLOW.format(token=", token: '{{ secrets.hook_key }}'", out=out)
    (svc.workspace / "lights.yaml").write_text(flow, encoding="utf-8")
    svc.start()
    try:
        url = svc.webhook_url(svc.workspace / "lights.yaml")
        assert httpx.post(url + "?token=", json={"level": 1}).status_code == 401  # secret not set: nobody gets in
        keyring.set_password(KEYRING_SERVICE, "hook_key", "k3y")
        assert httpx.post(url + "?token=wrong", json={"level": 1}).status_code == 401
        assert httpx.post(url + "?token=k3y&wait=1", json={"level": 5}).json()["outputs"] == {"got": 5}
    finally:
        svc.stop(grace=1)


SECRET_OUT = """flowdeck: 1
name: tells
triggers:
  - webhook: {path: tells, token: t0k}
outputs:
  said: "{{ vars.said }}"
steps:
  say: {do: set, with: {values: {said: "key={{ secrets.hook_out_key }}"}}}
"""


def test_a_waited_answer_masks_the_secrets_the_run_read(tmp_path: Path) -> None:
    import keyring

    from engine.runtime.context import KEYRING_SERVICE

    keyring.set_password(KEYRING_SERVICE, "hook_out_key", "v3ry-s3cret")
    svc = service(tmp_path, webhook_port=0)
    (svc.workspace / "tells.yaml").write_text(SECRET_OUT, encoding="utf-8")
    svc.start()
    try:
        url = svc.webhook_url(svc.workspace / "tells.yaml")
        r = httpx.post(url + "?token=t0k&wait=1", json={})
        assert r.status_code == 200 and r.json()["status"] == "succeeded"
        assert "v3ry-s3cret" not in r.text
        assert r.json()["outputs"]["said"].startswith("key=") and r.json()["outputs"]["said"] != "key="
    finally:
        svc.stop(grace=1)
