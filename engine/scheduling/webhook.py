"""Webhook triggers: a small HTTP server on 127.0.0.1; ``/hook/<name>`` starts that workflow.

Every hook asks for a token: the trigger's ``token`` (a secret), else one Flowdeck made for it
(engine.scheduling.hook_tokens). It is read from the header ``X-Flowdeck-Token``, ``Authorization: Bearer <token>``
or ``?token=``, and never passed on to the run. A hook answers the methods its trigger lists (``methods``, POST by
default). Answers are JSON, refusals included (docs/triggers.md has the table): 202 with the run id (or 200 with the
result when ``?wait=1`` or the trigger says ``wait: true``), 400 bad JSON, JSON nested deeper than ``MAX_DEPTH`` or a
body that is not what its headers say, 401 wrong/missing token, 403 a web page or a Host that is not loopback, 404
unknown hook, 405 a method the hook does not take (with ``Allow``), 408 the request took longer than READ_TIMEOUT,
409 skipped (overlap: skip, or triggers paused), 413 body larger than ``max_body``, 501 a Transfer-Encoding other
than chunked or a method HTTP does not know, 503 the run could not be started. Reading a request is
engine.scheduling.hook_request.
"""

from __future__ import annotations

import functools
import hmac
import io
import json
import logging
import re
import secrets
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from engine.io.triggers import WEBHOOK_METHODS
from engine.model.workflow import Trigger
from engine.scheduling import hook_request
from engine.scheduling.hook_request import (
    DeadlineReader,
    RequestError,
    body_expected,
    drain,
    flat,
    parse_body,
    read_body,
    read_headers,
    refusal,
    request_line,
)
from engine.scheduling.runs import QUEUED

log = logging.getLogger("flowdeck.scheduling")
MAX_BODY = 1_000_000
WAIT_TIMEOUT = 300.0
METHODS = WEBHOOK_METHODS  # what a trigger's ``methods`` may list (declared with the trigger's checks)
_HIDDEN = {"authorization", "x-flowdeck-token", "cookie", "proxy-authorization"}
_CONTROL = ("token", "wait")  # query parameters for Flowdeck itself, not passed to the run
_SECRET_REF = re.compile(r"^\{\{\s*secrets\.([A-Za-z0-9_.\-]+)\s*\}\}$")


@dataclass
class Hook:
    """A webhook as the server answers it, read from its trigger at each call (edits of the file apply at once)."""

    owner: Path
    token: str  # every hook has one: the trigger's, else the one Flowdeck made for it
    wait: bool = False
    methods: tuple[str, ...] = ("POST",)
    overlap: str = "skip"


def _given_methods(trigger: Trigger) -> list[str]:
    given = trigger.options.get("methods") or ["POST"]
    return [str(m).strip().upper() for m in (given if isinstance(given, (list, tuple)) else [given])]


def hook_methods(trigger: Trigger) -> tuple[str, ...]:
    """The HTTP methods a webhook trigger answers: its ``methods`` (one or a list, any case), POST by default."""
    methods = tuple(dict.fromkeys(m for m in _given_methods(trigger) if m in METHODS))
    return methods or ("POST",)


def methods_problem(trigger: Trigger) -> str | None:
    """What is wrong with a trigger's ``methods`` (said when it is armed; those names are not answered), or None."""
    wrong = [m for m in _given_methods(trigger) if m not in METHODS]
    if not wrong:
        return None
    return (f"methods: {', '.join(wrong)} is not one of {', '.join(METHODS)}; the hook answers "
            f"{', '.join(hook_methods(trigger))}")  # fmt: skip


def resolve_hook(owner: Path, trigger: Trigger, made: Callable[[], str], overlap: str = "skip") -> Hook:
    """The hook of a trigger, its token read now (from the keyring for '{{ secrets.name }}'; ``made`` gives the
    token Flowdeck keeps for a trigger that names none)."""
    wait, token = bool(trigger.options.get("wait", False)), trigger.options.get("token")
    methods = hook_methods(trigger)
    if token is None:
        return Hook(owner, made(), wait, methods, overlap)
    ref = _SECRET_REF.match(str(token))
    if ref:
        from engine.runtime.context import read_secret

        try:
            token = read_secret(ref.group(1))
        except Exception as exc:  # no secret: nobody gets in
            log.error("%s: %s; every call of its webhook is refused", owner.name, exc)
            token = secrets.token_hex(32)
    return Hook(owner, str(token), wait, methods, overlap)


Lookup = Callable[[str], Hook | None]
Fire = Callable[[Path, dict[str, Any]], Any]


@functools.lru_cache(maxsize=1)
def _date_of(second: int) -> str:
    return formatdate(second, usegmt=True)


def _date() -> str:
    """The Date header's text for now, made again only when the second changes (formatdate is ~4 µs)."""
    return _date_of(int(time.time()))


class WebhookError(RuntimeError):
    """The server cannot start (port in use, ...): the message says what to do."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.1"  # a malformed request line is answered with a status line too

    def setup(self) -> None:
        super().setup()
        # An answer written as headers, then body, waited for the client's delayed ACK with Nagle's algorithm,
        # 40 ms on Linux, on every call (benchmarks/README.md, "Webhooks"); answers are one write now (_send), and
        # the 100 Continue of Expect is still a write of its own.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile.close()  # the stdlib's reader: left open it would keep the socket's file descriptor alive
        self._reader = DeadlineReader(self.connection, self.server.read_timeout)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        self._reader.restart()
        self._answered, self._unread = False, False
        self.requestline, self.request_version, self.command = "", "HTTP/1.1", ""  # what a 408 shows
        super().handle_one_request()  # a timeout while reading ends it with close_connection set
        if self._reader.timed_out and self._reader.received and not self._answered:
            self._send(408, {"error": f"the request was not received within {self.server.read_timeout:g} s"})

    def parse_request(self) -> bool:
        """The request line and the headers, read by hook_request (the stdlib's checks and messages, without its
        email.feedparser), then Connection and Expect apply as in the stdlib."""
        self.command = ""  # a refusal of the line is not for a method
        self.close_connection = True
        self.requestline = text = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        if not text.strip():
            return False
        try:
            self.command, self.path, version, keep = request_line(text)
            self.request_version, self.close_connection = version, not keep
            self.headers = read_headers(self.rfile)
        except RequestError as exc:
            self.send_error(exc.status, exc.message)
            return False
        connection = self.headers.get("Connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        if self.headers.get("Expect", "").lower() == "100-continue" and self.request_version >= "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("webhook %s " + format, self.address_string(), *args)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own refusals (an unknown method, a request line or header too long) as JSON too."""
        if code == 501 and self.command:
            message = f"method {self.command} is not supported; hooks answer {', '.join(METHODS)}"
        text = message or self.responses.get(code, ("refused",))[0]
        self._send(code, {"error": f"{text} ({explain})" if explain else text})

    def _send(self, status: int, body: dict[str, Any], allow: tuple[str, ...] = (), retry_after: int = 0) -> None:
        """The answer, status line, headers and body in one write (a second write would wait for the client's
        delayed ACK: benchmarks/README.md, "Webhooks"); the Date text is made once a second."""
        data = json.dumps(body, default=str).encode()
        self._answered = True
        if log.isEnabledFor(logging.DEBUG):
            log.debug("webhook %s %r %d", self.address_string(), self.requestline, status)
        head = ""
        if self.request_version != "HTTP/0.9":  # an HTTP/0.9 request is answered with the body alone
            phrase = self.responses[status][0] if status in self.responses else ""
            head = (
                f"{self.protocol_version} {status} {phrase}\r\nServer: {self.version_string()}\r\nDate: {_date()}"
                f"\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
            )
            if allow:
                head += f"Allow: {', '.join(allow)}\r\n"
            if retry_after:
                head += f"Retry-After: {retry_after}\r\n"
            if status >= 400:
                head += "Connection: close\r\n"
            head += "\r\n"
        if status >= 400:
            self.close_connection = True
        try:
            current = self.connection.gettimeout()  # the reader left it near its deadline: time enough to send?
            if current is None or current < self.server.read_timeout / 2:
                self.connection.settimeout(self.server.read_timeout)
            self.connection.sendall(head.encode("latin-1") + (data if self.command != "HEAD" else b""))
        except OSError:  # the client went away; nothing to tell it
            self.close_connection = True
            return
        if self.close_connection and self._unread:
            drain(self.connection)

    def _refused(self) -> bool:
        """Answer 403 to web pages and non-loopback Host names (before saying whether a hook exists)."""
        self._unread = body_expected(self.headers)
        problem = refusal(self.headers)
        if problem:
            log.warning("webhook %s: %s; nothing run", self.path.split("?")[0], problem)
            self._send(403, {"error": problem})
        return problem is not None

    def _call(self) -> None:
        """Every method comes here: one bad request is answered and logged in one line, never a traceback."""
        try:
            self._serve()
        except Exception as exc:
            log.error("webhook %s %s: %s: %s; nothing run", self.command, self.path.split("?")[0],
                      type(exc).__name__, exc)  # fmt: skip
            log.debug("webhook request failed", exc_info=True)
            if not self._answered:
                self._send(500, {"error": f"the request could not be handled: {type(exc).__name__}: {exc}"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = do_CONNECT = _call

    def _serve(self) -> None:
        if self._refused():
            return
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "hook":
            return self._send(404, {"error": "not found; hooks are at /hook/<name>"})
        name, query = parts[1], flat(parse_qs(url.query))
        hook = self.server.lookup(name)
        if hook is None:
            return self._send(404, {"error": f"no workflow listens on /hook/{name}"})
        if self.command not in hook.methods:
            allowed = ", ".join(hook.methods)
            error = f"/hook/{name} answers {allowed}, not {self.command} (the trigger's methods)"
            return self._send(405, {"error": error}, allow=hook.methods)
        if not hmac.compare_digest(self._given_token(query).encode(), hook.token.encode()):
            log.warning("webhook /hook/%s: wrong or missing token; nothing run", name)
            return self._send(401, {"error": "wrong or missing token"})
        try:
            raw = read_body(self.headers, self.rfile, self.server.max_body, self.server.read_timeout)
            self._unread = False
            body = parse_body(self.headers, raw, self.server.max_depth)
        except RequestError as exc:
            log.warning("webhook /hook/%s: %s; nothing run", name, exc.message)
            return self._send(exc.status, {"error": exc.message})
        wait = str(query.get("wait", "")).lower() in ("1", "true", "yes") or hook.wait
        for key in _CONTROL:
            query.pop(key, None)
        headers = {k.lower(): v for k, v in self.headers.items() if k.lower() not in _HIDDEN}
        trigger = {"kind": "webhook", "name": name, "method": self.command, "query": query, "headers": headers,
                   "body": body}  # fmt: skip
        self._start(hook, trigger, wait)

    def _given_token(self, query: dict[str, Any]) -> str:
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        return self.headers.get("X-Flowdeck-Token") or str(query.get("token", ""))

    def _start(self, hook: Hook, trigger: dict[str, Any], wait: bool) -> None:
        try:
            handle = self.server.fire(hook.owner, trigger)
        except Exception as exc:
            log.error("webhook /hook/%s could not start a run: %s", trigger["name"], exc)
            return self._send(503, {"error": f"the run could not be started: {exc}"})
        if handle is None:
            return self._not_started(hook, trigger["name"])
        if handle == QUEUED:
            return self._send(202, {"queued": True, "status": "queued"})
        elsewhere = getattr(handle, "elsewhere", None)  # a standby daemon of a broker: the leader runs hooks
        if elsewhere is not None:
            return self._send(503, elsewhere["answer"], retry_after=elsewhere["retry_after"])
        record = getattr(handle, "record", None)  # a 202 promises the call is in the history (docs/triggers.md)
        if record is not None:
            record()
        if not wait:
            return self._send(202, {"run_id": handle.run_id, "status": "accepted"})
        try:
            result = handle.wait(self.server.wait_timeout)
        except TimeoutError:
            return self._send(202, {"run_id": handle.run_id, "status": "running"})
        # The caller gets what the history shows: secrets the run read are masked (the result holds real values).
        answer = {"run_id": result.run_id, "status": result.status, "outputs": result.outputs, "error": result.error}
        self._send(200, handle.redacted(answer))

    def _not_started(self, hook: Hook, name: str) -> None:
        """Why no run started, truly: 409 only for a pause or an overlap skip (a parallel hook never skips)."""
        if self.server.paused():
            return self._send(409, {"error": "not run: triggers are paused"})
        if hook.overlap == "skip":
            return self._send(409, {"error": "not run: its previous run is still going (overlap: skip)"})
        self._send(503, {"error": f"not run: /hook/{name} could not start a run now (see the log)"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    lookup: Lookup
    fire: Fire
    paused: Callable[[], bool]
    max_body: int
    max_depth: int
    wait_timeout: float
    read_timeout: float


class WebhookServer:
    """Serves hooks on 127.0.0.1:``port`` (0 picks a free port) from a thread of its own.

    The thread sleeps until a connection or ``stop`` arrives (a wake-up socket), rather than the stdlib's
    ``serve_forever``, which wakes twice a second when idle and makes ``stop`` wait up to 0.5 s for it: time a
    daemon stopping with a grace period does not have.
    """

    def __init__(
        self,
        port: int,
        lookup: Lookup,
        fire: Fire,
        *,
        paused: Callable[[], bool] = lambda: False,
        max_body: int = MAX_BODY,
        max_depth: int | None = None,
        read_timeout: float | None = None,
    ) -> None:
        try:
            self._server = _Server(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise WebhookError(
                f"webhooks cannot listen on 127.0.0.1:{port}: {exc.strerror or exc} "
                "(is another Flowdeck running? choose another port in the settings or with --port)"
            ) from None
        self._server.lookup, self._server.fire, self._server.paused = lookup, fire, paused
        self._server.max_body, self._server.wait_timeout = max_body, WAIT_TIMEOUT
        self._server.max_depth = max_depth or hook_request.MAX_DEPTH
        self._server.read_timeout = read_timeout or hook_request.READ_TIMEOUT  # read now: tests shorten it
        self._wake, self._woken = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name="flowdeck-webhooks", daemon=True)
        self._thread.start()
        log.info("webhooks listen on http://127.0.0.1:%d/hook/<name>", self.port)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/hook/{name}"

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._server, selectors.EVENT_READ)
            selector.register(self._woken, selectors.EVENT_READ)
            while True:
                ready = selector.select()
                if any(key.fileobj is self._woken for key, _ in ready):
                    return
                self._server._handle_request_noblock()  # accept, then a thread per connection (ThreadingMixIn)

    def stop(self) -> None:
        try:
            self._wake.send(b"x")
        except OSError:
            pass  # stopped already
        self._thread.join(5)
        self._server.server_close()
        self._wake.close()
        self._woken.close()
