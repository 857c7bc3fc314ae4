"""HTTP blocks against a real HTTP server on 127.0.0.1: JSON, errors, redirects, slow answers, big bodies."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import keyring
import pytest

from engine.blocks.web import http_changed, http_download, http_request
from engine.errors import Cancelled, StepError, StepTimeout
from tests.engine.blocks.conftest import Ctx, run_yaml
from tests.support.servers import BASIC_PASSWORD, BASIC_USER, BEARER_TOKEN, LocalHTTPServer, closed_port


def test_get_json(ctx: Ctx, http_server: LocalHTTPServer) -> None:
    out = http_request(ctx, f"{http_server.url}/json")
    assert out["status"] == 200 and out["ok"]
    assert out["json"]["total"] == 42
    assert out["headers"]["content-type"] == "application/json"


def test_post_json_form_raw_query_headers(ctx: Ctx, http_server: LocalHTTPServer) -> None:
    echo = f"{http_server.url}/echo"
    got = http_request(ctx, echo, method="POST", json={"a": [1, 2]}, query={"page": 2}, headers={"X-Who": "me"})["json"]
    assert got["method"] == "POST" and got["body"] == '{"a":[1,2]}' and got["query"] == {"page": "2"}
    assert got["headers"]["x-who"] == "me" and got["headers"]["content-type"] == "application/json"
    got = http_request(ctx, echo, method="PUT", form={"name": "Ada Lovelace"})["json"]
    assert got["body"] == "name=Ada+Lovelace"
    got = http_request(ctx, echo, method="POST", body="raw text", headers={"Content-Type": "text/plain"})["json"]
    assert got["body"] == "raw text"
    with pytest.raises(StepError, match=r"only one body: json and body"):
        http_request(ctx, echo, method="POST", json={"a": 1}, body="x")


def test_500_is_an_http_error_unless_allowed(ctx: Ctx, http_server: LocalHTTPServer) -> None:
    with pytest.raises(StepError, match=r"GET .*/status/500 answered 500 Internal Server Error: status 500 body") as e:
        http_request(ctx, f"{http_server.url}/status/500")
    assert e.value.kind == "http" and e.value.details["status"] == 500
    out = http_request(ctx, f"{http_server.url}/status/404", allow_errors=True)
    assert (out["status"], out["ok"]) == (404, False)


def test_redirects_followed_or_not(ctx: Ctx, http_server: LocalHTTPServer) -> None:
    out = http_request(ctx, f"{http_server.url}/redirect?to=/json")
    assert out["status"] == 200 and out["url"].endswith("/json")
    assert http_request(ctx, f"{http_server.url}/redirect", follow_redirects=False)["status"] == 302


def test_slow_server_times_out(ctx: Ctx, http_server: LocalHTTPServer) -> None:
    with pytest.raises(StepTimeout, match=r"no answer within 0.5s"):
        http_request(ctx, f"{http_server.url}/slow?s=5", timeout="500ms")


def test_cancel_during_a_silent_server(ctx: Ctx, http_server: LocalHTTPServer) -> None:
    threading.Timer(0.3, ctx.cancel_event.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        http_request(ctx, f"{http_server.url}/slow?s=10", timeout="60s")
    assert time.monotonic() - started < 5


def test_unreachable_host_and_bad_url(ctx: Ctx) -> None:
    port = closed_port()
    with pytest.raises(StepError, match=rf"cannot connect to 127.0.0.1:{port}: connection refused") as e:
        http_request(ctx, f"http://127.0.0.1:{port}/")
    assert e.value.kind == "http"
    with pytest.raises(StepError, match=r"not a web address"):
        http_request(ctx, "example.com/no-scheme")


def test_big_body_capped_and_download_streams(ctx: Ctx, http_server: LocalHTTPServer, tmp_path: Path) -> None:
    with pytest.raises(StepError, match=r"larger than 64 MB; use http.download"):
        http_request(ctx, f"{http_server.url}/big?bytes={70 * 1024 * 1024}")
    out = http_download(ctx, f"{http_server.url}/big?bytes={20 * 1024 * 1024}", "downloads/")
    saved = Path(out["path"])
    assert saved == tmp_path / "downloads" / "big" and saved.stat().st_size == 20 * 1024 * 1024
    assert ctx.progress_calls[-1] == (20 * 1024 * 1024, 20 * 1024 * 1024)
    assert [p.name for p in saved.parent.iterdir()] == ["big"]


def test_failed_download_keeps_the_old_file(ctx: Ctx, http_server: LocalHTTPServer, tmp_path: Path) -> None:
    (tmp_path / "report.csv").write_text("good old data")
    with pytest.raises(StepError, match=r"answered 500"):
        http_download(ctx, f"{http_server.url}/status/500", "report.csv")
    with pytest.raises(StepError, match=r"connection refused"):
        http_download(ctx, f"http://127.0.0.1:{closed_port()}/x", "report.csv")
    with pytest.raises(StepError, match=r"already exists"):
        http_download(ctx, f"{http_server.url}/json", "report.csv", overwrite=False)
    assert (tmp_path / "report.csv").read_text() == "good old data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_basic_and_bearer_auth_from_secrets(ctx: Ctx, http_server: LocalHTTPServer) -> None:
    keyring.set_password("flowdeck", "api_pw", BASIC_PASSWORD)
    keyring.set_password("flowdeck", "api_token", BEARER_TOKEN)
    ok = http_request(ctx, f"{http_server.url}/basic", auth="basic", username=BASIC_USER, secret="api_pw")
    assert ok["json"] == {"ok": True}
    assert http_request(ctx, f"{http_server.url}/bearer", auth="bearer", secret="api_token")["json"] == {"ok": True}
    with pytest.raises(StepError, match=r"answered 401"):
        http_request(ctx, f"{http_server.url}/bearer")
    with pytest.raises(StepError, match=r"secret 'nope' is not set"):
        http_request(ctx, f"{http_server.url}/bearer", auth="bearer", secret="nope")


def test_changed_remembers_between_runs(ctx: Ctx, http_server: LocalHTTPServer) -> None:
    url = f"{http_server.url}/content"
    first = http_changed(ctx, url)
    assert (first["first"], first["changed"]) == (True, False)
    assert http_changed(ctx, url)["changed"] is False
    http_server.content = "second version"
    again = http_changed(ctx, url)
    assert again["changed"] is True and again["previous_hash"] == first["hash"]


def test_changed_persists_across_engine_runs_and_retries_on_http(tmp_path: Path, http_server: LocalHTTPServer) -> None:
    flow = f"""flowdeck: 1
name: Watch page
steps:
  check:
    do: http.changed
    with: {{url: "{http_server.url}/content"}}
    next: decide
  decide:
    do: if
    with: {{condition: "{{{{ steps.check.changed }}}}"}}
    next: {{then: tell}}
  tell:
    do: notify
    with: {{title: Page changed, message: "{{{{ steps.check.text }}}}"}}
"""
    state = tmp_path / "state"
    first = run_yaml(flow, tmp_path, state_dir=state)
    assert first.ok and "tell" not in first.steps
    http_server.content = "new!"
    second = run_yaml(flow, tmp_path, state_dir=state)  # a new Engine: the hash came from the state file
    assert second.ok and second.steps["tell"]["message"] == "new!"


def test_retry_on_http_through_engine(tmp_path: Path, http_server: LocalHTTPServer) -> None:
    result = run_yaml(
        f"""flowdeck: 1
name: Retry
steps:
  fetch:
    do: http.request
    with: {{url: "{http_server.url}/status/503"}}
    retry: {{attempts: 3, backoff: 10ms, "on": [http]}}
""",
        tmp_path,
    )
    assert result.status == "failed" and result.error["kind"] == "http"
    assert len([r for r in http_server.requests if r["path"] == "/status/503"]) == 3


def test_tls_certificate_checked_unless_turned_off(ctx: Ctx, https_server: LocalHTTPServer) -> None:
    assert https_server.url.startswith("https://")
    with pytest.raises(StepError, match=r"the server's certificate is not trusted") as e:
        http_request(ctx, f"{https_server.url}/json")
    assert e.value.kind == "http"
    assert http_request(ctx, f"{https_server.url}/json", verify_tls=False)["json"]["total"] == 42


def test_an_html_error_page_is_one_short_line_and_the_whole_answer_is_data() -> None:
    from engine.blocks._http import status_error

    page = "<!DOCTYPE HTML>\n<html><head><title>Error</title><style>p {color: red}</style></head>\n<body>\n" + (
        "<h1>Not Found</h1>\n<p>The page\nis gone.</p>" + "<p>filler</p>" * 500 + "</body></html>"
    )
    error = status_error("GET", "http://127.0.0.1:1/x", 404, "Not Found", page, {"content-type": "text/html"})
    assert "\n" not in str(error) and len(str(error)) <= 200
    assert str(error).startswith("GET http://127.0.0.1:1/x answered 404 Not Found: Not Found The page is gone.")
    assert "<" not in str(error) and "color" not in str(error)
    assert error.details["status"] == 404 and error.details["headers"] == {"content-type": "text/html"}
    assert error.details["body"] == page
