"""Keep secret values out of events, history and logs."""

from __future__ import annotations

from typing import Any

MASK = "•••"


def redact(value: Any, secrets: set[str]) -> Any:
    """``value`` with every occurrence of a secret replaced by a mask (containers copied, not changed)."""
    if isinstance(value, str):
        for secret in secrets:
            if secret and secret in value:
                value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {k: redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, secrets) for v in value]
    return value
