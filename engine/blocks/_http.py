"""HTTP for the web blocks: one request with httpx on a helper thread (so cancel and deadlines are
honoured even while a server is silent), errors in plain words, secrets for authentication."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from engine.errors import Cancelled, StepError, StepTimeout, excerpt, one_line
from engine.registry import Kind, Param
from engine.registry.context import StepContext

AUTH_CHOICES = ("none", "basic", "bearer")
MAX_DETAIL = 100_000  # characters of a failed answer's body kept in the error's data (the history keeps it)

AUTH_PARAMS = [
    Param("auth", Kind.CHOICE, default="none", choices=AUTH_CHOICES, help="Log in: basic (user + password) or bearer."),
    Param("username", Kind.TEXT, default="", help="User name for basic authentication."),
    Param(
        "secret",
        Kind.SECRET,
        default="",
        help="Name of the stored secret with the password (basic) or token (bearer); "
        "store it with 'flowdeck secret set NAME'.",
    ),
]
CONNECTION_PARAMS = [
    Param("timeout", Kind.DURATION, default="30s", help="Give up when the server is silent this long."),
    Param("follow_redirects", Kind.BOOL, default=True, help="Follow redirects to the final address."),
    Param("verify_tls", Kind.BOOL, default=True, help="Check the server's certificate (turn off only for your own)."),
]


@dataclass
class Request:
    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    json: Any = None
    form: dict[str, Any] | None = None
    timeout: float = 30.0
    follow_redirects: bool = True
    verify: bool = True
    auth: Any = None


def check_url(url: Any) -> str:
    text = str(url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StepError(f"url: {text!r} is not a web address (it must start with http:// or https://)", kind="value")
    return text


def auth_for(ctx: StepContext, auth: str, username: str, secret: str, headers: dict[str, str]) -> Any:
    """httpx auth for basic, or an Authorization header for bearer; the secret comes from the keyring."""
    if auth == "none":
        return None
    if auth not in AUTH_CHOICES:
        raise StepError(f"auth: expected one of {', '.join(AUTH_CHOICES)}, got {auth!r}", kind="value")
    if not secret:
        raise StepError(f"secret: {auth} authentication needs the name of a stored secret", kind="value")
    value = ctx.secret(secret)
    if auth == "bearer":
        headers["Authorization"] = f"Bearer {value}"
        return None
    if not username:
        raise StepError("username: basic authentication needs a user name", kind="value")
    return (username, value)


def perform(ctx: StepContext, req: Request, on_response: Callable[[Any, Callable[[], bool]], Any]) -> Any:
    """Send ``req`` and hand the streaming response to ``on_response(response, stopped)``, all on a helper
    thread. This thread waits, and raises Cancelled/StepTimeout as soon as the run or step asks."""
    stop = threading.Event()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = _send(req, on_response, stop.is_set)
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=work, name=f"flowdeck-http-{ctx.step_id}", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.05)
        if ctx.cancel_event.is_set() or (ctx.deadline is not None and time.monotonic() >= ctx.deadline):
            stop.set()  # a body being read stops at the next chunk; a silent server is abandoned
            ctx.check_cancelled()
            raise Cancelled("the run was cancelled during the request")
    if "error" in box:
        raise _explain(box["error"], req)
    return box.get("value")


@functools.cache
def tls_context(verify: bool) -> Any:
    """One TLS context per setting, shared by every request: building one loads the CA bundle (~40 ms)."""
    import ssl

    try:
        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - httpx depends on certifi
        context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _send(req: Request, on_response: Callable[[Any, Callable[[], bool]], Any], stopped: Callable[[], bool]) -> Any:
    import httpx

    timeout = httpx.Timeout(req.timeout)
    client = httpx.Client(follow_redirects=req.follow_redirects, verify=tls_context(req.verify), timeout=timeout)
    request = {
        "params": req.params or None,
        "headers": req.headers or None,
        "content": req.content,
        "json": req.json,
        "data": req.form,
        "auth": req.auth,
    }
    with client, client.stream(req.method, req.url, **request) as response:
        return on_response(response, stopped)


def _explain(exc: BaseException, req: Request) -> BaseException:
    """An httpx error in words a person understands, naming the address."""
    import httpx

    if isinstance(exc, StepError | Cancelled):
        return exc
    host = urlsplit(req.url).netloc
    if isinstance(exc, httpx.TimeoutException):
        return StepTimeout(f"{req.url}: no answer within {req.timeout:g}s")
    if isinstance(exc, httpx.TooManyRedirects):
        return StepError(f"{req.url}: too many redirects (the address keeps sending us elsewhere)", kind="http")
    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
            return StepError(f"{req.url}: the server's certificate is not trusted ({text})", kind="http")
        if "refused" in text.lower():
            return StepError(
                f"{req.url}: cannot connect to {host}: connection refused (is the server running?)", kind="http"
            )
        if "name" in text.lower() and ("resolution" in text.lower() or "known" in text.lower()):
            return StepError(f"{req.url}: cannot find the server {host} (check the address and the network)", "http")
        return StepError(f"{req.url}: cannot connect to {host}: {text}", kind="http")
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return StepError(f"url: {req.url!r} is not a valid web address ({exc})", kind="value")
    if isinstance(exc, httpx.HTTPError):
        return StepError(f"{req.url}: {type(exc).__name__}: {exc}", kind="http")
    return exc


def read_body(response: Any, stopped: Callable[[], bool], limit: int, on_chunk: Callable[[int], None] | None) -> bytes:
    """The whole body, refusing more than ``limit`` bytes; stops early when ``stopped()``."""
    data = bytearray()
    for chunk in response.iter_bytes(65536):
        if stopped():
            raise Cancelled("stopped while reading the response")
        data.extend(chunk)
        if len(data) > limit:
            raise StepError(
                f"{response.url}: the response is larger than {limit // (1024 * 1024)} MB; use http.download for "
                "big files",
                kind="http",
            )
        if on_chunk:
            on_chunk(len(data))
    return bytes(data)


def status_error(
    method: str, url: str, status: int, reason: str, text: str, headers: dict[str, str] | None = None
) -> StepError:
    """A 4xx/5xx answer: one line with the status and a short excerpt of the body; the whole answer (status,
    headers, body) is the error's data, which the run panel shows as the step's output and ``{{ error.details }}``
    holds."""
    snippet = excerpt(text)
    detail = f": {snippet}" if snippet else ""
    body = text[:MAX_DETAIL]
    data = {"status": status, "reason": reason, "url": url, "headers": dict(headers or {}), "body": body, "text": body}
    return StepError(one_line(f"{method} {url} answered {status} {reason}{detail}"), kind="http", details=data)
