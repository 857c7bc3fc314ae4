"""Promises of docs/blocks.md for the web blocks, held by real `flowdeck run --json` runs against a local server."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.e2e.flows import run_json
from tests.support.filekeyring import BACKEND
from tests.support.product import Product
from tests.support.servers import (  # noqa: F401  (fixtures)
    BASIC_PASSWORD,
    BEARER_TOKEN,
    SMTP_PASSWORD,
    SMTP_USER,
    LocalHTTPServer,
    SMTPServer,
    http_server,
    https_server,
    smtp_tls_servers,
)

WEB = """flowdeck: 1
name: Web
steps:
  get:
    do: http.request
    with: {url: "{{ vars.base }}/json"}
    next: post
  post:
    do: http.request
    with: {url: "{{ vars.base }}/echo", method: POST, query: {a: 1, b: two}, headers: {X-Test: hi}, json: {k: [1, 2]}}
    next: form
  form:
    do: http.request
    with: {url: "{{ vars.base }}/echo", method: PUT, form: {name: Ada, lang: en}}
    next: raw
  raw:
    do: http.request
    with: {url: "{{ vars.base }}/echo", method: PATCH, body: "plain words", headers: {Content-Type: text/plain}}
    next: redir
  redir:
    do: http.request
    with: {url: "{{ vars.base }}/redirect?to=/json"}
    next: noredir
  noredir:
    do: http.request
    with: {url: "{{ vars.base }}/redirect?to=/json", follow_redirects: false}
    next: allowed
  allowed:
    do: http.request
    with: {url: "{{ vars.base }}/status/404", allow_errors: true}
    next: basic
  basic:
    do: http.request
    with: {url: "{{ vars.base }}/basic", auth: basic, username: ada, secret: site_password}
    next: bearer
  bearer:
    do: http.request
    with: {url: "{{ vars.base }}/bearer", auth: bearer, secret: api_token}
    next: dl
  dl:
    do: http.download
    with: {url: "{{ vars.base }}/big?bytes=100000", to: downloads/}
    next: dl2
  dl2:
    do: http.download
    with: {url: "{{ vars.base }}/json", to: downloads/data.json}
    next: failing
  failing:
    do: http.request
    with: {url: "{{ vars.base }}/status/503"}
    retry: {attempts: 2, backoff: 0.1, on: [http]}
    on_error: handler
  handler:
    do: log
    with: {message: "kind={{ error.kind }}"}
"""


@pytest.mark.promise("blocks.md", "`http.request` — HTTP request")
@pytest.mark.promise("blocks.md", "`http.download` — Download")
def test_web_blocks_send_what_they_say_and_give_the_documented_outputs(
    product: Product,
    http_server: LocalHTTPServer,  # noqa: F811
) -> None:
    """http.request sends the method, query, headers and a JSON, form or raw body, logs in with a stored secret
    (basic or bearer), follows redirects unless told not to, and fails a 4xx/5xx answer with kind 'http' (retry on
    http retries it) unless 'allow_errors'; http.download saves the file (into a folder ending in /, or a path)."""
    env = {"PYTHON_KEYRING_BACKEND": BACKEND}
    for name, value in (("site_password", BASIC_PASSWORD), ("api_token", BEARER_TOKEN)):
        assert product.run("secret", "set", name, input=value + "\n", env=env).returncode == 0
    done, record = run_json(product, "web.yaml", WEB, "--var", f"base={http_server.url}", env=env)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr
    s = record["steps"]
    assert (s["get"]["status"], s["get"]["ok"], s["get"]["json"]["total"]) == (200, True, 42)
    assert json.loads(s["get"]["text"]) == s["get"]["json"]
    assert s["get"]["headers"]["content-type"] == "application/json"  # lower-case names
    post = s["post"]["json"]
    assert (post["method"], post["query"], post["headers"]["x-test"]) == ("POST", {"a": "1", "b": "two"}, "hi")
    assert (json.loads(post["body"]), post["headers"]["content-type"]) == ({"k": [1, 2]}, "application/json")
    form = s["form"]["json"]
    assert (form["method"], form["body"]) == ("PUT", "name=Ada&lang=en")
    assert form["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert (s["raw"]["json"]["method"], s["raw"]["json"]["body"]) == ("PATCH", "plain words")
    assert (s["redir"]["status"], s["redir"]["url"]) == (200, f"{http_server.url}/json")  # the final address
    assert (s["noredir"]["status"], s["noredir"]["ok"]) == (302, True)  # 3xx is ok
    assert (s["allowed"]["status"], s["allowed"]["ok"], s["allowed"]["text"]) == (404, False, "status 404 body")
    assert (s["basic"]["json"], s["bearer"]["json"]) == ({"ok": True}, {"ok": True})  # the server checked the login
    big = product.workspace / "downloads" / "big"
    assert (s["dl"]["path"], s["dl"]["size"], big.stat().st_size) == (str(big), 100_000, 100_000)
    assert s["dl"]["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    assert s["dl"]["content_type"] == "application/octet-stream"
    saved = product.workspace / "downloads" / "data.json"
    assert json.loads(saved.read_text())["total"] == 42 and s["dl2"]["path"] == str(saved)
    assert s["failing"]["error"]["kind"] == "http" and s["handler"]["message"] == "kind=http"
    assert [r["path"] for r in http_server.requests].count("/status/503") == 2  # retried once on http
    assert "answered 503 Service Unavailable" in s["failing"]["error"]["message"]
    assert BEARER_TOKEN not in done.stdout + done.stderr and BASIC_PASSWORD not in done.stdout + done.stderr


TLS = """flowdeck: 1
name: TLS and timeouts
steps:
  checked:
    do: http.request
    with: {url: "{{ vars.secure }}/json"}
    on_error: continue
    next: unchecked
  unchecked:
    do: http.request
    with: {url: "{{ vars.secure }}/json", verify_tls: false}
    next: slow
  slow:
    do: http.request
    with: {url: "{{ vars.plain }}/slow?s=5", timeout: 0.5s}
    on_error: continue
    next: mail_tls
  mail_tls:
    do: email.send
    with: {to: ada@example.org, subject: Over TLS, body: hi, host: 127.0.0.1, port: "{{ vars.tls_port }}",
           security: tls, verify_tls: false, sender: me@example.org, username: SMTP_USER, secret: smtp_password}
    next: mail_starttls
  mail_starttls:
    do: email.send
    with: {to: bob@example.org, subject: Over STARTTLS, body: hi, host: 127.0.0.1, port: "{{ vars.starttls_port }}",
           security: starttls, verify_tls: false, sender: me@example.org, username: SMTP_USER, secret: smtp_password}
""".replace("SMTP_USER", SMTP_USER)


@pytest.mark.promise("blocks.md", "`http.request` — HTTP request")
@pytest.mark.promise("blocks.md", "`email.send` — Send email")
def test_tls_checks_and_timeouts(
    product: Product,
    http_server: LocalHTTPServer,  # noqa: F811
    https_server: LocalHTTPServer,  # noqa: F811
    smtp_tls_servers: tuple[SMTPServer, SMTPServer],  # noqa: F811
) -> None:
    """http.request checks the server's certificate unless verify_tls is off, and gives up when the server is silent
    for 'timeout'; email.send sends over implicit TLS (465) and STARTTLS (587), logging in."""
    starttls, implicit = smtp_tls_servers
    env = {"PYTHON_KEYRING_BACKEND": BACKEND}
    assert product.run("secret", "set", "smtp_password", input=SMTP_PASSWORD + "\n", env=env).returncode == 0
    variables = {"secure": https_server.url, "plain": http_server.url, "tls_port": implicit.port,
                 "starttls_port": starttls.port}  # fmt: skip
    args = [a for k, v in variables.items() for a in ("--var", f"{k}={v}")]
    done, record = run_json(product, "tls.yaml", TLS, *args, env=env)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr
    s = record["steps"]
    assert "certificate" in s["checked"]["error"]["message"].lower()
    assert s["unchecked"]["json"]["total"] == 42
    assert s["slow"]["error"]["kind"] == "timeout"
    assert [m.message["Subject"] for m in implicit.received] == ["Over TLS"]
    assert [m.message["Subject"] for m in starttls.received] == ["Over STARTTLS"]
    assert implicit.logins == starttls.logins == [SMTP_USER]
