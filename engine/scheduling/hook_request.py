"""How the webhook server reads a request: one deadline per request, the body (Content-Length or chunked, with a
size limit; parsed, with a nesting limit) and the checks that keep web pages and DNS-rebound names out.

A browser on this computer can reach 127.0.0.1, so a web page could post a form to a hook: requests whose Origin or
Referer is not a loopback origin are refused, and so are requests whose Host is not a loopback name (a page on
``evil.example`` whose DNS answer was switched to 127.0.0.1 still sends ``Host: evil.example``).
"""

from __future__ import annotations

import functools
import io
import ipaddress
import json
import re
import socket
import time
from itertools import chain, compress
from typing import Any
from urllib.parse import parse_qs, urlsplit

READ_TIMEOUT = 5.0  # seconds a client gets to send a whole request (line, headers and body)
SLACK = 0.05  # seconds a recv's timeout may be off the request's deadline (DeadlineReader)
MAX_DEPTH = 64  # levels of lists and mappings a JSON body may nest (far deeper values cannot even be handed to a run)
_SIZE_LINE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_LENGTH = re.compile(r"[0-9]{1,18}")


class RequestError(Exception):
    """A request that is refused before anything runs: the HTTP status and a plain message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


MAX_HEADERS = 100  # as the stdlib's http.client
MAX_LINE = 65536


class Headers:
    """A request's header fields, names as sent and in order, looked up in any case as ``email.message.Message``
    does (``get``, ``get_all``, ``[name]``) but from a mapping by lower-case name: the Message compares every
    name on each lookup, ≈ 3 µs a call and nine calls a request."""

    __slots__ = ("_by_name", "_pairs")

    def __init__(self) -> None:
        self._pairs: list[tuple[str, str]] = []
        self._by_name: dict[str, list[str]] = {}

    def add(self, name: str, value: str) -> None:
        self._pairs.append((name, value))
        self._by_name.setdefault(name.lower(), []).append(value)

    def get(self, name: str, default: Any = None) -> Any:
        values = self._by_name.get(name.lower())
        return values[0] if values else default

    __getitem__ = get

    def get_all(self, name: str, default: Any = None) -> Any:
        values = self._by_name.get(name.lower())
        return list(values) if values else default

    def keys(self) -> list[str]:
        return [name for name, _ in self._pairs]

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)


def read_headers(rfile: io.BufferedIOBase) -> Headers:
    """The header block of a request, up to its empty line.

    The stdlib parses it with email.feedparser, a third of the server's own time per call under load
    (benchmarks/README.md, "Compared with Node-RED"); a header block is ``Name: value`` lines (a line starting with
    a space or tab continues the one before), so it is split here. Too many lines, or one too long, is a 431."""
    pairs: list[tuple[str, str]] = []
    for _ in range(MAX_HEADERS + 1):
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise RequestError(431, "Line too long")
        if line in (b"\r\n", b"\n", b""):
            headers = Headers()
            for name, value in pairs:
                headers.add(name, value)
            return headers
        text = line.decode("iso-8859-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and pairs:  # a folded line: the value goes on
            name, value = pairs[-1]
            pairs[-1] = (name, f"{value} {text.strip()}")
        elif ":" in text:
            name, _, value = text.partition(":")
            pairs.append((name, value.strip()))
    raise RequestError(431, "Too many headers")


def request_line(text: str) -> tuple[str, str, str, bool]:
    """(method, path, version, whether the connection may stay open) of a request line, checked as the stdlib's
    ``BaseHTTPRequestHandler.parse_request`` checks it, with its messages; raises RequestError (400, 505). Read
    here because the stdlib's also parses the (empty) header block it is given with email.feedparser: 12 % of the
    service's GIL time under the 8-client load (benchmarks/README.md, "Webhook path, issue 19")."""
    words = text.split()
    version, keep = "HTTP/1.1", False
    if len(words) >= 3:
        version = words[-1]
        numbers = version[5:].split(".") if version.startswith("HTTP/") else []
        if len(numbers) != 2 or not all(n.isdigit() and len(n) <= 10 for n in numbers):
            raise RequestError(400, f"Bad request version ({version!r})")
        number = (int(numbers[0]), int(numbers[1]))
        if number >= (2, 0):
            raise RequestError(505, f"Invalid HTTP version ({version[5:]})")
        keep = number >= (1, 1)
    if not 2 <= len(words) <= 3:
        raise RequestError(400, f"Bad request syntax ({text!r})")
    if len(words) == 2:
        if words[0] != "GET":
            raise RequestError(400, f"Bad HTTP/0.9 request type ({words[0]!r})")
        keep = False
    path = words[1]
    if path.startswith("//"):  # as the stdlib: '//host/x' is taken for a URL without scheme by clients
        path = "/" + path.lstrip("/")
    return words[0], path, version, keep


class DeadlineReader(io.RawIOBase):
    """Reads a socket with one deadline for a whole request rather than per ``recv``.

    A per-recv timeout lets a client that sends one byte every few seconds hold a server thread forever.
    """

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self._sock = sock
        self.seconds = seconds
        self.deadline = float("inf")
        self.received = 0  # bytes of the current request
        self.timed_out = False

    def restart(self) -> None:
        self.deadline = time.monotonic() + self.seconds
        self.received, self.timed_out = 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """One ``recv`` that ends by the deadline. The socket's timeout is set again only when it is more than
        ``SLACK`` off the time left: each ``settimeout`` is a system call that lets go of the interpreter, and on a
        kept-alive connection the timeout left by the call before is the same (two calls less per request)."""
        while True:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.timed_out = True
                raise TimeoutError("the request took too long")
            current = self._sock.gettimeout()
            if current is None or abs(current - left) > SLACK:
                self._sock.settimeout(left)
            try:
                count = self._sock.recv_into(buffer)
            except TimeoutError:
                continue  # early by less than SLACK: the rest of the time, else the deadline is said
            self.received += count
            return count


def read_body(headers: Headers, rfile: io.BufferedIOBase, limit: int, timeout: float) -> bytes:
    """The request body, whole; raises RequestError (400, 408, 413, 501) when it cannot be read as sent."""
    try:
        codings = [c.strip().lower() for v in headers.get_all("Transfer-Encoding", []) for c in v.split(",")]
        codings = [c for c in codings if c]
        lengths = headers.get_all("Content-Length", [])
        if codings:
            if lengths:  # two framings at once is how requests are smuggled: refuse rather than pick one
                raise RequestError(400, "send either Content-Length or Transfer-Encoding, not both")
            if codings != ["chunked"]:
                raise RequestError(501, f"Transfer-Encoding {', '.join(codings)} is not supported (use chunked)")
            return _chunked(rfile, limit)
        return _exact(rfile, _length(lengths, limit))
    except TimeoutError:
        raise RequestError(408, f"the request was not received within {timeout:g} s; nothing run") from None


def _length(values: list[str], limit: int) -> int:
    texts = {v.strip() for v in values}
    if len(texts) > 1:
        raise RequestError(400, f"conflicting Content-Length headers: {', '.join(sorted(texts))}")
    text = texts.pop() if texts else "0"
    if not _LENGTH.fullmatch(text):
        raise RequestError(400, f"Content-Length {text!r} is not a number of bytes")
    length = int(text)
    if length > limit:
        raise RequestError(413, f"body too large ({length} bytes; the limit is {limit})")
    return length


def _exact(rfile: io.BufferedIOBase, length: int) -> bytes:
    data = rfile.read(length) if length else b""
    if len(data) < length:
        raise RequestError(400, f"the body ended after {len(data)} of {length} bytes (Content-Length); nothing run")
    return data


def _chunked(rfile: io.BufferedIOBase, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(1024)
        size_text = line.split(b";", 1)[0].strip()
        if not line.endswith(b"\n") or not _SIZE_LINE.fullmatch(size_text):
            raise RequestError(400, "bad chunked body: expected a chunk size in hex on its own line")
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if total > limit:
            raise RequestError(413, f"body too large (more than {limit} bytes, chunked; the limit is {limit})")
        data = rfile.read(size)
        if len(data) < size or rfile.readline(3) not in (b"\r\n", b"\n"):
            raise RequestError(400, "bad chunked body: a chunk is shorter than its size or not followed by CRLF")
        parts.append(data)
    for _ in range(64):  # trailer fields, then the empty line
        line = rfile.readline(8192)
        if line in (b"\r\n", b"\n"):
            return b"".join(parts)
        if not line.endswith(b"\n"):
            break
    raise RequestError(400, "bad chunked body: it does not end with an empty line")


# the body's meaning -------------------------------------------------------------------------------------
def flat(pairs: dict[str, list[str]]) -> dict[str, Any]:
    """A parsed query or form: one value as itself, repeated names as a list."""
    return {k: v[0] if len(v) == 1 else v for k, v in pairs.items()}


def parse_body(headers: Headers, raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """What a run sees as ``trigger.body``: parsed JSON, a form as a mapping, else text (None when empty).

    Raises RequestError(400) for JSON that does not parse or nests deeper than ``max_depth``."""
    if not raw:
        return None
    kind = headers.get("Content-Type", "").split(";")[0].strip().lower()
    text = raw.decode("utf-8", errors="replace")
    if kind == "application/x-www-form-urlencoded":
        return flat(parse_qs(text))
    if not (kind.endswith("json") or (not kind and text.lstrip()[:1] in ("{", "["))):
        return text
    too_deep = RequestError(400, f"the JSON body nests deeper than {max_depth} levels (the limit is {max_depth})")
    try:
        value = json.loads(text)
    except RecursionError:  # thousands of levels: the parser itself gives up
        raise too_deep from None
    except ValueError as exc:  # JSONDecodeError
        raise RequestError(400, f"bad JSON body: {exc}") from None
    # a text with few brackets cannot nest deeply: most bodies are let through by two counts in C
    if text.count("[") + text.count("{") > max_depth and _deeper(value, max_depth):
        raise too_deep
    return value


_CONTAINER = {dict: True, list: True}.get  # a type -> whether it nests (a C call, no Python frame per item)


def _deeper(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists and mappings more than ``limit`` levels deep: a walk level by level, with no
    recursion, whose inner loops run in C (≈ 0.5 ms for 100 KB of small records)."""
    level = [value]
    for _ in range(limit):
        children = list(
            chain(
                chain.from_iterable(map(dict.values, [x for x in level if type(x) is dict])),
                chain.from_iterable([x for x in level if type(x) is list]),
            )
        )
        level = list(compress(children, map(_CONTAINER, map(type, children))))
        if not level:
            return False
    return True


# loopback checks ------------------------------------------------------------------------------------------
def is_loopback(host: str | None) -> bool:
    """``localhost``, 127.x.x.x or ::1 (brackets allowed)."""
    name = (host or "").strip().lower().rstrip(".").strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _loopback_url(value: str) -> bool:
    try:
        url = urlsplit(value.strip())
        return url.scheme in ("http", "https") and is_loopback(url.hostname)
    except ValueError:
        return False


def refusal(headers: Headers) -> str | None:
    """Why a request must be refused with 403 (a web page or a DNS-rebound name), or None."""
    hosts = headers.get_all("Host", [])
    problem = _host_refusal(hosts[0].strip() if hosts else "", len(hosts) == 1)
    if problem:
        return problem
    for field in ("Origin", "Referer"):
        value = headers.get(field)
        if value is not None and not _loopback_url(value):
            return (
                f"requests from web pages are refused ({field}: {value}); call the hook from a program on this "
                "computer, or from a page served on localhost"
            )
    return None


@functools.lru_cache(maxsize=64)  # a client sends the same Host on every call: 15 µs of parsing each time
def _host_refusal(host: str, single: bool) -> str | None:
    """Why the first ``Host`` (``single``: the only one) is refused, or None for a loopback name."""
    try:
        name = urlsplit("//" + host).hostname
    except ValueError:
        name = None
    if not single or not is_loopback(name):
        return (
            f"Host {host or '(none)'!r} is not a loopback name; webhooks answer only requests for 127.0.0.1, "
            "localhost or [::1]"
        )
    return None


def body_expected(headers: Headers) -> bool:
    """Whether the client said it sends a body (so it may still be sending when we answer early)."""
    length = (headers.get("Content-Length") or "0").strip()
    return bool(headers.get("Transfer-Encoding")) or length not in ("", "0")


def drain(sock: socket.socket, seconds: float = 2.0, most: int = 8_000_000) -> None:
    """Read and drop what the client still sends, for a little while, after an early answer.

    Closing a socket with unread data makes the kernel reset the connection, and the client can lose the answer.
    """
    try:
        sock.shutdown(socket.SHUT_WR)
        end, total = time.monotonic() + seconds, 0
        while total < most and (left := end - time.monotonic()) > 0:
            sock.settimeout(left)
            chunk = sock.recv(65536)
            if not chunk:
                return
            total += len(chunk)
    except OSError:
        pass
