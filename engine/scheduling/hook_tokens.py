"""The tokens Flowdeck makes for webhooks whose trigger names none: every hook asks for a token (docs/triggers.md).

One token per hook name, made the first time the hook is armed and kept in ``webhook-tokens.json`` in the user
state folder (created readable by this account only, written atomically), so the URL a phone was given keeps
working across restarts and edits of the file. A trigger with ``token: "{{ secrets.name }}"`` uses that secret
instead and gets nothing here.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from pathlib import Path

from engine.io import atomic_write

log = logging.getLogger("flowdeck.scheduling")
FILE_NAME = "webhook-tokens.json"


class HookTokens:
    """Generated tokens by hook name (the ``<name>`` of ``/hook/<name>``)."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / FILE_NAME
        self._lock = threading.Lock()
        self._tokens: dict[str, str] | None = None  # read on first use: `flowdeck status` never needs it

    def token(self, name: str) -> str:
        """The token of hook ``name``, made and saved now if it has none yet."""
        with self._lock:
            tokens = self._read()
            token = tokens.get(name)
            if token:
                return token
            token = tokens[name] = secrets.token_urlsafe(24)
            try:
                data = (json.dumps(tokens, indent=1, sort_keys=True) + "\n").encode("utf-8")
                atomic_write(self.file, data, mode=0o600)  # tokens: for this account only
            except OSError as exc:  # it still works until the service stops; the next start makes a new one
                log.error("the token of /hook/%s could not be saved in %s: %s", name, self.file, exc)
            else:
                log.info("/hook/%s has no token in its workflow file: one was made for it; it is in %s", name,
                         self.file)  # fmt: skip
            return token

    def _read(self) -> dict[str, str]:
        if self._tokens is None:
            try:
                data = json.loads(self.file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            self._tokens = {str(k): str(v) for k, v in data.items() if v} if isinstance(data, dict) else {}
        return self._tokens
