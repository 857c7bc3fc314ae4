"""Keep secret values out of events, history and logs: the values themselves and their common encodings."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "•••"
MIN_ENCODED = 4  # a shorter secret is masked as written only: its encodings would match ordinary text


def variants(secret: str) -> set[str]:
    """``secret`` and the ways it is commonly written (as GitHub Actions masks them): base64 (standard and URL-safe,
    and the part that shows whatever bytes come before it, as in ``Basic base64(user:secret)``), URL-encoded, hex,
    and JSON-escaped."""
    found = {secret}
    if len(secret) < MIN_ENCODED:
        return found
    raw = secret.encode()
    found.update({json.dumps(secret)[1:-1], quote(secret, safe=""), quote_plus(secret), raw.hex(), raw.hex().upper()})
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        found.add(encode(raw).decode())
        for shift in (1, 2):  # the secret starts 1 or 2 bytes into a 3-byte group of a longer encoded text
            text = encode(b"\0" * shift + raw).decode()
            first, last = -(-shift * 8 // 6), (shift + len(raw)) * 8 // 6
            if last - first >= 6:
                found.add(text[first:last])
        text = encode(raw).decode()
        found.add(text[: len(raw) * 8 // 6])  # the secret's own characters, whatever bytes come after it
    found.discard("")
    return found


def redact(value: Any, secrets: set[str] | frozenset[str]) -> Any:
    """``value`` with every occurrence of a secret replaced by a mask (containers copied, not changed)."""
    ordered = sorted(secrets, key=len, reverse=True) if len(secrets) > 1 else tuple(secrets)
    return _redact(value, ordered)


def _redact(value: Any, secrets: Any) -> Any:
    if isinstance(value, str):
        for secret in secrets:  # longest first: a value's encoding is masked whole, not around a shorter match
            if secret and secret in value:
                value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {k: _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v, secrets) for v in value]
    return value
