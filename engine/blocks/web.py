"""Web: HTTP requests, downloads written atomically with progress, and change detection between runs."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from engine.blocks import _http
from engine.blocks._common import duration_param, os_errors, resolve, sync_folder, text_of, tmp_name
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

CATEGORY = "Web"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_BODY = 64 * 1024 * 1024  # a response kept in a step's output; bigger files belong in http.download


@block(
    "http.request",
    title="HTTP request",
    category=CATEGORY,
    icon="globe",
    help="Call a web address (an API, a web page). A 4xx or 5xx answer fails the step with error kind 'http' "
    "(so retry: {on: [http]} retries it) unless 'allow_errors' is on.",
    params=[
        Param("url", Kind.TEXT, required=True, placeholder="https://example.com/api", help="The address."),
        Param("method", Kind.CHOICE, default="GET", choices=METHODS, help="GET reads, POST sends, ...", main=True),
        Param("query", Kind.MAPPING, default={}, help="Query parameters added to the address (?a=1&b=2)."),
        Param("headers", Kind.MAPPING, default={}, help="Extra request headers."),
        Param("json", Kind.ANY, default=None, help="A body sent as JSON (a mapping or a list)."),
        Param("form", Kind.MAPPING, default={}, help="A body sent as a web form (key: value)."),
        Param("body", Kind.MULTILINE, default="", help="A raw text body (set a Content-Type header)."),
        *_http.AUTH_PARAMS,
        *_http.CONNECTION_PARAMS,
        Param("allow_errors", Kind.BOOL, default=False, help="A 4xx/5xx answer does not fail the step."),
    ],
    outputs=[
        Output("status", "the status code, e.g. 200"),
        Output("ok", "true for 2xx and 3xx"),
        Output("headers", "response headers (lower-case names)"),
        Output("text", "the body as text"),
        Output("json", "the body as data, when it is JSON (otherwise null)"),
        Output("url", "the final address after redirects"),
        Output("elapsed", "seconds"),
    ],
    summary="url",
)
def http_request(
    ctx: StepContext,
    url: str,
    method: str = "GET",
    query: dict[str, Any] | None = None,
    headers: dict[str, Any] | None = None,
    json: Any = None,
    form: dict[str, Any] | None = None,
    body: Any = "",
    auth: str = "none",
    username: str = "",
    secret: str = "",
    timeout: Any = "30s",
    follow_redirects: bool = True,
    verify_tls: bool = True,
    allow_errors: bool = False,
) -> dict[str, Any]:
    method = str(method).upper()
    if method not in METHODS:
        raise StepError(f"method: expected one of {', '.join(METHODS)}, got {method!r}", kind="value")
    bodies = [name for name, v in (("json", json), ("form", form), ("body", body)) if v not in (None, "", {})]
    if len(bodies) > 1:
        raise StepError(f"give only one body: {' and '.join(bodies)} are both set", kind="value")
    req = _request(ctx, method, url, headers, auth, username, secret, timeout, follow_redirects, verify_tls)
    req.params = {str(k): text_of(v) for k, v in (query or {}).items()}
    req.json = json
    req.form = {str(k): text_of(v) for k, v in form.items()} if form else None
    req.content = text_of(body).encode("utf-8") if body not in ("", None) else None
    started = time.monotonic()

    def handle(response: Any, stopped: Any) -> dict[str, Any]:
        content = _http.read_body(response, stopped, MAX_BODY, None)
        return _response_output(response, content)

    out = _http.perform(ctx, req, handle)
    out["elapsed"] = round(time.monotonic() - started, 3)
    if out["status"] >= 400 and not allow_errors:
        raise _http.status_error(method, req.url, out["status"], out.pop("_reason"), out["text"], out["headers"])
    out.pop("_reason", None)
    return out


def _request(
    ctx: StepContext,
    method: str,
    url: str,
    headers: dict[str, Any] | None,
    auth: str,
    username: str,
    secret: str,
    timeout: Any,
    follow_redirects: bool,
    verify_tls: bool,
) -> _http.Request:
    hdrs = {str(k): text_of(v) for k, v in (headers or {}).items()}
    seconds = duration_param(timeout, "timeout") or 30.0
    req = _http.Request(method, _http.check_url(url), headers=hdrs, timeout=seconds)
    req.follow_redirects, req.verify = bool(follow_redirects), bool(verify_tls)
    req.auth = _http.auth_for(ctx, auth, username, secret, req.headers)
    return req


def _response_output(response: Any, content: bytes) -> dict[str, Any]:
    import json as jsonlib

    text = content.decode(response.encoding or "utf-8", errors="replace")
    data = None
    ctype = response.headers.get("content-type", "")
    if "json" in ctype or text[:1] in ("{", "["):
        try:
            data = jsonlib.loads(text)
        except ValueError:
            data = None
    return {
        "status": response.status_code,
        "ok": response.status_code < 400,
        "headers": {k.lower(): v for k, v in response.headers.items()},
        "text": text,
        "json": data,
        "url": str(response.url),
        "_reason": response.reason_phrase,
    }


@block(
    "http.download",
    title="Download",
    category=CATEGORY,
    icon="download",
    help="Download a file to a path. It is written under a temporary name and put in place only when complete, "
    "so a broken download never replaces a good file.",
    params=[
        Param("url", Kind.TEXT, required=True, help="The file's address."),
        Param(
            "to",
            Kind.PATH,
            required=True,
            help="Where to save it: a file path, or a folder ending in /.",
            browse="save",
        ),
        Param("overwrite", Kind.BOOL, default=True, help="Replace the file if it exists (otherwise fail)."),
        Param("headers", Kind.MAPPING, default={}, help="Extra request headers."),
        *_http.AUTH_PARAMS,
        *_http.CONNECTION_PARAMS,
    ],
    outputs=[
        Output("path", "the saved file"),
        Output("size", "bytes"),
        Output("status"),
        Output("content_type"),
        Output("sha256", "checksum of the file"),
    ],
    summary="url",
)
def http_download(
    ctx: StepContext,
    url: str,
    to: str,
    overwrite: bool = True,
    headers: dict[str, Any] | None = None,
    auth: str = "none",
    username: str = "",
    secret: str = "",
    timeout: Any = "30s",
    follow_redirects: bool = True,
    verify_tls: bool = True,
) -> dict[str, Any]:
    req = _request(ctx, "GET", url, headers, auth, username, secret, timeout, follow_redirects, verify_tls)
    target = resolve(ctx, to, "to")
    into_folder = str(to).endswith(("/", os.sep)) or target.is_dir()

    def handle(response: Any, stopped: Any) -> dict[str, Any]:
        if response.status_code >= 400:
            text = _http.read_body(response, stopped, 64 * 1024 * 1024, None).decode("utf-8", "replace")
            headers = {k.lower(): v for k, v in response.headers.items()}
            raise _http.status_error("GET", req.url, response.status_code, response.reason_phrase, text, headers)
        dest = target / _file_name(response) if into_folder else target
        if dest.exists() and not overwrite:
            raise StepError(f"{dest} already exists (turn on 'overwrite' to replace it)", kind="file")
        with os_errors(dest):
            dest.parent.mkdir(parents=True, exist_ok=True)
            size, digest = _save(ctx, response, stopped, dest)
        return {
            "path": str(dest),
            "size": size,
            "status": response.status_code,
            "content_type": response.headers.get("content-type", ""),
            "sha256": digest,
        }

    out = _http.perform(ctx, req, handle)
    ctx.log(f"downloaded {out['size']:,} bytes to {out['path']}")
    return out


def _file_name(response: Any) -> str:
    import re
    from urllib.parse import unquote

    disposition = response.headers.get("content-disposition", "")
    found = re.search(r'filename="?([^";]+)"?', disposition)
    name = found.group(1) if found else unquote(Path(response.url.path).name)
    name = Path(name.replace("\\", "/")).name  # never a path from the server
    return name or "download"


def _save(ctx: StepContext, response: Any, stopped: Any, dest: Path) -> tuple[int, str]:
    import hashlib

    total = int(response.headers.get("content-length") or 0) or None
    tmp = tmp_name(dest)
    digest = hashlib.sha256()
    size = 0
    last = 0.0
    try:
        with open(tmp, "wb") as fh:
            for chunk in response.iter_bytes(256 * 1024):
                if stopped():
                    raise StepError("the download was stopped", kind="cancelled")
                fh.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                if time.monotonic() - last >= 0.2:  # a few updates a second, not one per chunk
                    ctx.progress(size, total)
                    last = time.monotonic()
            ctx.progress(size, total)
            fh.flush()
            os.fsync(fh.fileno())
        if total is not None and size != total:
            raise StepError(f"the download ended early ({size:,} of {total:,} bytes); try again", kind="http")
        os.replace(tmp, dest)
        sync_folder(dest.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


@block(
    "http.changed",
    title="Check for change",
    category=CATEGORY,
    icon="globe",
    help="Fetch an address and tell whether its content changed since the last run (it remembers a hash "
    "of the content between runs). Follow it with an if on {{ steps.<id>.changed }}.",
    params=[
        Param("url", Kind.TEXT, required=True, help="The address to watch."),
        Param("headers", Kind.MAPPING, default={}, help="Extra request headers."),
        Param("first_is_change", Kind.BOOL, default=False, help="Report the very first check as a change."),
        *_http.AUTH_PARAMS,
        *_http.CONNECTION_PARAMS,
    ],
    outputs=[
        Output("changed", "true when the content differs from last time"),
        Output("first", "true on the first check (nothing to compare with)"),
        Output("hash", "sha256 of the content"),
        Output("previous_hash"),
        Output("status"),
        Output("text", "the content as text"),
    ],
    summary="url",
)
def http_changed(
    ctx: StepContext,
    url: str,
    headers: dict[str, Any] | None = None,
    first_is_change: bool = False,
    auth: str = "none",
    username: str = "",
    secret: str = "",
    timeout: Any = "30s",
    follow_redirects: bool = True,
    verify_tls: bool = True,
) -> dict[str, Any]:
    req = _request(ctx, "GET", url, headers, auth, username, secret, timeout, follow_redirects, verify_tls)

    def handle(response: Any, stopped: Any) -> dict[str, Any]:
        return _response_output(response, _http.read_body(response, stopped, MAX_BODY, None))

    got = _http.perform(ctx, req, handle)
    if got["status"] >= 400:
        raise _http.status_error("GET", req.url, got["status"], got["_reason"], got["text"], got["headers"])
    import hashlib

    digest = hashlib.sha256(got["text"].encode("utf-8")).hexdigest()
    key = f"http.changed:{req.url}"
    previous = ctx.state.get(key)
    ctx.state.set(key, digest)
    first = previous is None
    return {
        "changed": first_is_change if first else digest != previous,
        "first": first,
        "hash": digest,
        "previous_hash": previous or "",
        "status": got["status"],
        "text": got["text"],
    }
