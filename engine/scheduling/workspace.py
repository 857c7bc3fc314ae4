"""Where the workspace folder is by default."""

from __future__ import annotations

from pathlib import Path


def default_workspace() -> Path:
    """The user's documents folder / Flowdeck."""
    from platformdirs import user_documents_path

    return user_documents_path() / "Flowdeck"
