"""Errors the engine raises, each carrying a message a person can act on."""

from __future__ import annotations

# Every kind of error a step can fail with: what `retry.on` selects and `{{ error.kind }}` holds. The one declaration:
# the validator checks `retry.on` against it and docs/runtime.md ("Error kinds") lists it (a test compares them).
ERROR_KINDS: dict[str, str] = {
    "http": "a web request failed: no connection, a refused or reset connection, a bad certificate, "
    "too many redirects, or a 4xx/5xx answer (unless `allow_errors` is on)",
    "timeout": "the step (or a request or program inside it) took longer than its timeout",
    "value": "a parameter's value is wrong for the block, often one an expression gave",
    "template": "an expression failed: a name that is not defined, a filter error, or something the sandbox refuses",
    "file": "a file or folder could not be read, written, found, copied or moved",
    "program": "a program could not be started, or exited with an error where that fails the step",
    "python": "python.run code raised an exception, or no Python interpreter was found",
    "email": "the mail server could not be reached, refused the login or the message",
    "secret": "a secret is not set, or the keyring cannot be read",
    "host": "something only the app can do (clipboard, notifications, opening files) was not possible",
    "workflow": "a workflow run by workflow.run (or on_failure) has errors or failed",
    "recursion": "workflow.run would run a workflow that is already running in this chain",
    "fail": "a fail step ended the run on purpose",
    "limit": "the run reached one of its limits (policy.max_steps)",
    "worker": "the process running the workflow ended unexpectedly (it crashed or was killed)",
    "error": "any other failure (an unexpected exception inside a block)",
}


class FlowdeckError(Exception):
    """Base of every error Flowdeck reports to a person (never shown as a traceback)."""


class StepError(FlowdeckError):
    """A step failed. ``kind`` names the family, which ``retry.on`` can select (``http``, ``timeout``...)."""

    def __init__(self, message: str, kind: str = "error", details: dict | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.details = details or {}

    @property
    def message(self) -> str:
        return str(self)


class StepTimeout(StepError):
    def __init__(self, message: str) -> None:
        super().__init__(message, kind="timeout")


class Cancelled(FlowdeckError):
    """The run was cancelled by a person or by shutdown."""


SHORT = 200  # characters of one error line where space is short: the run panel's status line, a toast, a tray tip
LONG = 400  # characters of a run's or step's error message (history, CLI, log); longer text stays in its details


def one_line(text: object, limit: int = SHORT) -> str:
    """``text`` as one line of at most ``limit`` characters (runs of whitespace become one space): how every error is
    shown; the whole text stays in the error's details. A longer one keeps its start and its end with " … " between:
    a chained error ("the workflow a.yaml failed: the workflow b.yaml failed: …") names its cause last."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    if limit < 40:
        return flat[: max(limit - 1, 0)].rstrip() + "…"
    tail = (limit - 3) * 2 // 5
    return flat[: limit - 3 - tail].rstrip() + " … " + flat[len(flat) - tail :].lstrip()


def excerpt(body: str, limit: int = 120) -> str:
    """A short, readable piece of an answer's body for an error line: an HTML page gives its words, not its tags."""
    import html
    import re

    head = body[:20000]
    if re.search(r"<\s*(!doctype|html|head|body|p|div|h\d)\b", head[:2000], re.IGNORECASE):
        head = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", head)
        title = re.search(r"(?is)<title[^>]*>(.*?)</title>", body[:20000])
        head = re.sub(r"(?s)<[^>]*>", " ", head)
        head = html.unescape(head)
        if not head.strip() and title:
            head = html.unescape(title.group(1))
    return one_line(head, limit)
