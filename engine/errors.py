"""Errors the engine raises, each carrying a message a person can act on."""

from __future__ import annotations


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
