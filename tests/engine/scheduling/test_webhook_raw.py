"""The webhook server against malformed, slow and cross-site requests, sent byte for byte over raw sockets.

Every refused request must start no run: each test ends by sending one good request and checking that the
runs the engine started are exactly the good ones (engine events arrive in order, so an earlier bad run
would have shown up first).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from engine.runtime import events as ev
from engine.scheduling import hook_request
from engine.scheduling.service import Service
from tests.engine.scheduling.helpers import service, wait_for

FLOW = """flowdeck: 1
name: open
triggers:
  - webhook: {path: open}
policy: {overlap: parallel}
steps:
  a: {do: log, with: {message: "got {{ trigger.body }}"}}
"""
READ_TIMEOUT = 1.0


@dataclass
class Hook:
    svc: Service
    port: int
    token: str = ""  # the one Flowdeck made for the hook (its file names none)
    bodies: list[Any] = field(default_factory=list)  # trigger.body of every run the engine started

    def request(self, head: dict[str, str] | None = None, body: bytes = b"", path: str = "/hook/open") -> bytes:
        path = f"{path}?token={self.token}"
        headers = {"Host": f"127.0.0.1:{self.port}", "Content-Type": "application/json"}
        headers.update(head if head is not None else {"Content-Length": str(len(body))})
        lines = [f"POST {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items() if v is not None)]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def only_good_runs(self, *good: Any) -> None:
        """Send one more good call and check that the runs started are ``good`` plus that one."""
        status, _ = answer(connect(self.port, self.request(body=b'{"end": 1}')))
        assert status == 202
        expected = [*good, {"end": 1}]
        # each run starts in a run process of its own: which starts first is not the point (it flaked in CI)
        assert wait_for(lambda: all(b in self.bodies for b in expected), timeout=10), self.bodies
        assert sorted(map(repr, self.bodies)) == sorted(map(repr, expected))


@pytest.fixture
def hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(hook_request, "READ_TIMEOUT", READ_TIMEOUT)
    svc = service(tmp_path, webhook_port=0)
    (svc.workspace / "open.yaml").write_text(FLOW, encoding="utf-8")
    found = Hook(svc, 0)
    started: list[tuple[float, Any]] = []

    def seen(e: ev.Event) -> None:
        # runs execute in separate processes: their events may reach this one out of order, their start times not
        if e.kind == ev.RUN_STARTED:
            started.append((e.time, e.data["trigger"]["body"]))
            found.bodies[:] = [body for _, body in sorted(started, key=lambda item: item[0])]

    svc.engine.subscribe(seen)
    svc.start()
    url = svc.webhook_url(svc.workspace / "open.yaml")
    assert url is not None
    found.port = int(url.split(":")[2].split("/")[0])
    found.token = url.split("?token=")[1]
    yield found
    svc.stop(grace=2)


def connect(port: int, data: bytes = b"", *, half_close: bool = False) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    sock.sendall(data)
    if half_close:
        sock.shutdown(socket.SHUT_WR)
    return sock


def answer(sock: socket.socket) -> tuple[int, dict[str, Any]]:
    """Read one response (until its Content-Length, or until the server closes); close the socket."""
    data = b""
    with sock:
        while True:
            head, sep, rest = data.partition(b"\r\n\r\n")
            if sep:
                length = [int(x.split(b":")[1]) for x in head.split(b"\r\n") if x.lower().startswith(b"content-length")]
                if length and len(rest) >= length[0]:
                    break
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    assert sep, f"no complete answer: {data!r}"
    return int(head.split(b" ")[1]), json.loads(rest or b"{}")


def test_chunked_body_is_decoded(hook: Hook) -> None:
    chunks = b'9\r\n{"level":\r\n3;ext=1\r\n 9}\r\n0\r\nX-Trailer: t\r\n\r\n'
    status, body = answer(connect(hook.port, hook.request({"Transfer-Encoding": "chunked"}, chunks)))
    assert status == 202, body
    hook.only_good_runs({"level": 9})


def test_chunked_body_over_the_limit_is_413(hook: Hook) -> None:
    piece = b"x" * 65536
    chunks = (b"10000\r\n" + piece + b"\r\n") * 32 + b"0\r\n\r\n"  # 2 MB
    head = {"Transfer-Encoding": "chunked", "Content-Type": "text/plain"}
    status, body = answer(connect(hook.port, hook.request(head, chunks)))
    assert status == 413 and "too large" in body["error"] and "chunked" in body["error"]
    hook.only_good_runs()


@pytest.mark.parametrize(
    ("head", "status", "message"),
    [
        ({"Content-Length": "-1"}, 400, "Content-Length '-1' is not a number of bytes"),
        ({"Content-Length": "abc"}, 400, "Content-Length 'abc' is not a number of bytes"),
        ({"Content-Length": "1e3"}, 400, "is not a number of bytes"),
        ({"Content-Length": "5, 6"}, 400, "is not a number of bytes"),
        ({"Content-Length": "4", "Transfer-Encoding": "chunked"}, 400, "not both"),
        ({"Transfer-Encoding": "gzip, chunked"}, 501, "gzip, chunked is not supported"),
        ({"Transfer-Encoding": "chunked"}, 400, "bad chunked body"),
    ],
)
def test_bad_framing_is_refused_at_once(hook: Hook, head: dict[str, str], status: int, message: str) -> None:
    # the connection stays open: the answer must not wait for the client to close or for the read timeout
    started = time.monotonic()
    got, body = answer(connect(hook.port, hook.request(head, b"zz\r\n{}\r\n")))
    assert (got, message in body["error"]) == (status, True), body
    assert time.monotonic() - started < READ_TIMEOUT * 0.8
    hook.only_good_runs()


def test_conflicting_content_lengths_are_400(hook: Hook) -> None:
    raw = hook.request(body=b"{}").replace(b"Content-Length: 2", b"Content-Length: 2\r\nContent-Length: 20")
    status, body = answer(connect(hook.port, raw))
    assert status == 400 and "conflicting Content-Length" in body["error"]
    hook.only_good_runs()


def test_short_body_then_close_is_400(hook: Hook) -> None:
    raw = hook.request({"Content-Length": "20"}, b'{"level": 1}')
    status, body = answer(connect(hook.port, raw, half_close=True))
    assert status == 400 and "ended after 12 of 20 bytes" in body["error"]
    hook.only_good_runs()


def test_short_body_left_open_times_out_with_408(hook: Hook) -> None:
    started = time.monotonic()
    status, body = answer(connect(hook.port, hook.request({"Content-Length": "20"}, b'{"level": 1}')))
    took = time.monotonic() - started
    assert status == 408 and "not received within 1 s" in body["error"]
    assert READ_TIMEOUT * 0.9 < took < READ_TIMEOUT + 1.5
    hook.only_good_runs()


def test_a_slow_client_is_cut_off_at_the_deadline(hook: Hook) -> None:
    """A byte every 0.2 s never trips a per-recv timeout; the whole request still has one deadline."""
    raw = hook.request(body=b'{"level": 1}')
    sock = connect(hook.port)
    stop = threading.Event()

    def drip() -> None:
        for byte in raw:
            if stop.wait(0.2):
                return
            try:
                sock.send(bytes([byte]))
            except OSError:
                return

    threading.Thread(target=drip, daemon=True).start()
    started = time.monotonic()
    try:
        status, _ = answer(sock)
    finally:
        stop.set()
    assert status == 408 and time.monotonic() - started < READ_TIMEOUT + 1.5
    hook.only_good_runs()


def test_an_idle_connection_is_closed_quietly(hook: Hook) -> None:
    sock = connect(hook.port)
    started = time.monotonic()
    with sock:
        assert sock.recv(100) == b""  # closed without an answer: no request was begun
    assert time.monotonic() - started < READ_TIMEOUT + 1.5


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"Origin": "https://evil.example"}, "requests from web pages are refused (Origin: https://evil.example)"),
        ({"Origin": "null"}, "requests from web pages are refused"),
        ({"Referer": "https://evil.example/page.html"}, "requests from web pages are refused (Referer:"),
        ({"Origin": "http://localhost:5173", "Referer": "http://evil.example/"}, "(Referer: http://evil.example/)"),
        ({"Host": "evil.example"}, "Host 'evil.example' is not a loopback name"),
        ({"Host": "127.0.0.1.evil.example:8765"}, "is not a loopback name"),
        ({"Host": None}, "Host '(none)' is not a loopback name"),
    ],
)
def test_web_pages_and_foreign_hosts_get_403(hook: Hook, extra: dict[str, str | None], message: str) -> None:
    form = b"level=1"
    head: dict[str, Any] = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(form))}
    for path in ("/hook/open", "/hook/unknown"):  # 403 before 404: a page cannot probe which hooks exist
        status, body = answer(connect(hook.port, hook.request({**head, **extra}, form, path=path)))
        assert status == 403 and message in body["error"], body
    hook.only_good_runs()


@pytest.mark.parametrize(
    "extra",
    [
        {"Origin": "http://localhost:5173"},
        {"Origin": "http://127.0.0.1:8000", "Referer": "http://127.0.0.1:8000/app"},
        {"Host": "localhost"},
        {"Host": "[::1]:8765"},
    ],
)
def test_loopback_pages_and_names_are_accepted(hook: Hook, extra: dict[str, str]) -> None:
    form = b"level=1"
    head = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(form)), **extra}
    status, body = answer(connect(hook.port, hook.request(head, form)))
    assert status == 202, body
    hook.only_good_runs({"level": "1"})


@pytest.mark.parametrize(
    ("request_bytes", "status", "message"),
    [
        (b"BREW /hook/open HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 501, "method BREW is not supported"),
        (b"GET /hook/open HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", 431, "Line too long"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "Request-URI Too Long"),
        (b"GARBAGE\r\n\r\n", 400, "Bad request syntax ('GARBAGE')"),
        (b"POST /hook/open HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505, "Invalid HTTP version (2.0)"),
        (b"POST /hook/open HTTP/1.x\r\nHost: 127.0.0.1\r\n\r\n", 400, "Bad request version ('HTTP/1.x')"),
        (b"POST /hook/open\r\n\r\n", 400, "Bad HTTP/0.9 request type ('POST')"),
        (b"GET /hook/open HTTP/1.1\r\n" + b"X: y\r\n" * 101 + b"\r\n", 431, "Too many headers"),
    ],
)
def test_the_servers_own_refusals_are_json_too(hook: Hook, request_bytes: bytes, status: int, message: str) -> None:
    sock = connect(hook.port, request_bytes, half_close=True)
    got, body = answer(sock)  # a status line and a JSON body (the stdlib's were HTML, or no status line at all)
    assert got == status and message in body["error"]
    hook.only_good_runs()


def test_headers_are_read_as_the_stdlib_reads_them() -> None:
    """hook_request.read_headers (not email.feedparser): names as sent, looked up in any case, values stripped,
    a folded line joined to the one before, a colon inside a value kept, repeated names all kept."""
    import io

    raw = b"Host: 127.0.0.1:80\r\nX-Long: one\r\n  two\r\nX-Url: http://a:1/b\r\nX-Two: 1\r\nx-two: 2\r\n\r\nBODY"
    rfile = io.BufferedReader(io.BytesIO(raw))
    headers = hook_request.read_headers(rfile)
    assert headers["host"] == "127.0.0.1:80" and headers["X-LONG"] == "one two"
    assert headers["X-Url"] == "http://a:1/b" and headers.get_all("X-Two") == ["1", "2"]
    assert list(headers.keys()) == ["Host", "X-Long", "X-Url", "X-Two", "x-two"]
    assert rfile.read() == b"BODY"  # the body is left to read_body


def test_expect_continue_and_connection_close(hook: Hook) -> None:
    """A client that asks ``Expect: 100-continue`` gets the 100 before it sends its body, then the 202; with
    ``Connection: close`` the server closes after the answer."""
    body = b'{"late": 1}'
    head = {"Content-Length": str(len(body)), "Expect": "100-continue", "Connection": "close"}
    sock = connect(hook.port, hook.request(head))
    first = sock.recv(1024)
    assert first.startswith(b"HTTP/1.1 100 "), first
    sock.sendall(body)
    status, answered = answer(sock)  # reads until the server closes: Connection: close was kept
    assert status == 202 and answered["status"] == "accepted"
    hook.only_good_runs({"late": 1})
