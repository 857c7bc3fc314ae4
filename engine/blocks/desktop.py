"""The desktop: notifications, the clipboard, opening files and addresses. All go through the Host,
which the app provides; headless runs log notifications, refuse the clipboard with a clear error and
open targets with the system's opener."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from engine.blocks._common import must_exist, resolve, text_of
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

LEVELS = ("info", "warning", "error")


@block(
    "notify",
    title="Notification",
    category="Messages",
    icon="bell",
    help="Show a desktop notification (from the tray). Without a desktop it is written to the log instead.",
    params=[
        Param("title", Kind.TEXT, required=True, help="The headline."),
        Param("message", Kind.MULTILINE, default="", help="The text under it; may use {{ expressions }}.", main=True),
        Param("level", Kind.CHOICE, default="info", choices=LEVELS, help="How it looks: info, warning or error."),
    ],
    outputs=[Output("title"), Output("message")],
    summary="title",
)
def notify(ctx: StepContext, title: Any, message: Any = "", level: str = "info") -> dict[str, Any]:
    if level not in LEVELS:
        raise StepError(f"level: expected one of {', '.join(LEVELS)}, got {level!r}", kind="value")
    head, body = text_of(title), text_of(message)
    ctx.host.notify(head, body, level)
    return {"title": head, "message": body}


@block(
    "clipboard.read",
    title="Read clipboard",
    category="Messages",
    icon="clipboard",
    help="Get the text on the clipboard. Needs the Flowdeck app (not available in headless runs).",
    outputs=[Output("text", "the clipboard's text")],
)
def clipboard_read(ctx: StepContext) -> dict[str, Any]:
    return {"text": ctx.host.clipboard_get()}


@block(
    "clipboard.write",
    title="Copy to clipboard",
    category="Messages",
    icon="clipboard",
    help="Put text on the clipboard. Needs the Flowdeck app (not available in headless runs).",
    params=[Param("text", Kind.MULTILINE, required=True, help="What to copy; lists and mappings become JSON.")],
    outputs=[Output("text")],
)
def clipboard_write(ctx: StepContext, text: Any) -> dict[str, Any]:
    value = text_of(text)
    ctx.host.clipboard_set(value)
    return {"text": value}


@block(
    "open",
    title="Open",
    category="Programs",
    icon="open",
    help="Open a file or folder with its usual app, or a web address in the browser. Outside the Flowdeck app "
    "it uses the system's opener (xdg-open or gio on Linux, open on macOS).",
    params=[
        Param("target", Kind.PATH, required=True, help="A file, a folder, or an address (https://...).", browse="any")
    ],
    outputs=[Output("target", "what was opened (full path or address)")],
)
def open_target(ctx: StepContext, target: Any) -> dict[str, Any]:
    text = text_of(target).strip()
    if not text:
        raise StepError("target: give a file, folder or web address to open", kind="value")
    scheme = urlsplit(text).scheme
    if len(scheme) > 1 and not os.path.isabs(text):  # a URL (a drive letter like C: is not a scheme)
        value = text
    else:
        path = resolve(ctx, text, "target")
        must_exist(path, "file or folder")
        value = str(path)
    ctx.host.open(value)
    return {"target": value}
