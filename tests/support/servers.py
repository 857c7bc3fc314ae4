"""Real servers on 127.0.0.1 for tests: an HTTP server with useful routes and an SMTP server (aiosmtpd).

Use them as pytest fixtures (``http_server``, ``smtp_server``) or import ``closed_port`` for a port
nothing listens on. Import this module in a conftest.py to make the fixtures available.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

BASIC_USER, BASIC_PASSWORD = "ada", "lovelace"
BEARER_TOKEN = "tok-123"


def closed_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler(BaseHTTPRequestHandler):
    server: LocalHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/plain", headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def do_GET(self) -> None:
        self._route()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def _route(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append({"method": self.command, "path": url.path, "query": query, "body": body})
        route = url.path.strip("/").split("/")
        handler = getattr(self, f"_r_{route[0] or 'index'}", None)
        if handler is None:
            self._send(404, b"no such page")
            return
        handler(route[1:], query, body)

    def _r_index(self, rest: list[str], query: dict, body: bytes) -> None:
        self._send(200, b"hello")

    def _r_json(self, rest: list[str], query: dict, body: bytes) -> None:
        self._json(200, {"total": 42, "items": [{"name": "a", "price": 3}, {"name": "b", "price": 5}]})

    def _r_report(self, rest: list[str], query: dict, body: bytes) -> None:
        """A daily sales report as a shop API would give it, for the day asked for."""
        day = query.get("day", "2026-01-01")
        self._json(200, {"date": day, "orders": 12, "total": 345.5, "currency": "EUR", "lines": [{"sku": "A1"}]})

    def _r_echo(self, rest: list[str], query: dict, body: bytes) -> None:
        self._json(
            200,
            {
                "method": self.command,
                "query": query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            },
        )

    def _r_status(self, rest: list[str], query: dict, body: bytes) -> None:
        code = int(rest[0]) if rest else 500
        self._send(code, f"status {code} body".encode())

    def _r_slow(self, rest: list[str], query: dict, body: bytes) -> None:
        time.sleep(float(query.get("s", "5")))
        self._send(200, b"finally")

    def _r_redirect(self, rest: list[str], query: dict, body: bytes) -> None:
        self._send(302, b"", headers={"Location": query.get("to", "/json")})

    def _r_big(self, rest: list[str], query: dict, body: bytes) -> None:
        size = int(query.get("bytes", str(5 * 1024 * 1024)))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = bytes(range(256)) * 256
        left = size
        while left > 0:
            part = chunk[: min(left, len(chunk))]
            self.wfile.write(part)
            left -= len(part)

    def _r_cut(self, rest: list[str], query: dict, body: bytes) -> None:
        """Promise ``bytes`` (Content-Length) but send only ``sent`` of them, then close: a download cut off."""
        size, sent = int(query.get("bytes", "100000")), int(query.get("sent", "40000"))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(b"x" * sent)
        self.wfile.flush()
        self.close_connection = True

    def _r_basic(self, rest: list[str], query: dict, body: bytes) -> None:
        expected = "Basic " + base64.b64encode(f"{BASIC_USER}:{BASIC_PASSWORD}".encode()).decode()
        ok = self.headers.get("Authorization") == expected
        self._json(200 if ok else 401, {"ok": ok})

    def _r_bearer(self, rest: list[str], query: dict, body: bytes) -> None:
        ok = self.headers.get("Authorization") == f"Bearer {BEARER_TOKEN}"
        self._json(200 if ok else 401, {"ok": ok})

    def _r_content(self, rest: list[str], query: dict, body: bytes) -> None:
        """Whatever the test put in ``server.content`` (to test change detection)."""
        self._send(200, self.server.content.encode())

    def _r_notjson(self, rest: list[str], query: dict, body: bytes) -> None:
        self._send(200, b"{not json", "application/json")


class LocalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.content = "first version"

    @property
    def url(self) -> str:
        scheme = "https" if hasattr(self.socket, "context") else "http"
        return f"{scheme}://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A real HTTP server on 127.0.0.1 with routes: /json /echo /status/<code> /slow?s= /redirect?to=
    /big?bytes= /basic /bearer /content /notjson /report?day=."""
    server = LocalHTTPServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHTTPServer]:
    """The same routes as http_server over TLS, with a self-signed certificate (so verification fails)."""
    import ssl

    cert, key = self_signed_certificate(tmp_path_factory.mktemp("https"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = LocalHTTPServer()
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


SMTP_USER, SMTP_PASSWORD = "mailer", "s3cret"


@dataclass
class Received:
    """One message the SMTP server accepted."""

    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class SMTPServer:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


class _Inbox:
    def __init__(self, server: SMTPServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that accepts login SMTP_USER / SMTP_PASSWORD (no TLS)."""
    server = SMTPServer("127.0.0.1", closed_port())
    controller = _start_smtp(server, auth_require_tls=False)
    try:
        yield server
    finally:
        controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate and key for 127.0.0.1, made with the openssl command."""
    import subprocess

    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


def _start_smtp(server: SMTPServer, **kwargs: Any) -> Any:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == (
            SMTP_USER,
            SMTP_PASSWORD,
        )
        if ok:
            server.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        _Inbox(server),
        hostname="127.0.0.1",
        port=server.port,
        authenticator=authenticator,
        ready_timeout=10,
        **kwargs,
    )
    controller.start()
    return controller


@pytest.fixture
def smtp_tls_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SMTPServer, SMTPServer]]:
    """Two real SMTP servers with a self-signed certificate: (STARTTLS required, implicit TLS)."""
    import ssl

    cert, key = self_signed_certificate(tmp_path_factory.mktemp("cert"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    starttls = SMTPServer("127.0.0.1", closed_port())
    implicit = SMTPServer("127.0.0.1", closed_port())
    controllers = [
        _start_smtp(starttls, tls_context=context, require_starttls=True, auth_require_tls=True),
        _start_smtp(implicit, ssl_context=context, auth_require_tls=False),
    ]
    try:
        yield starttls, implicit
    finally:
        for c in controllers:
            c.stop()
