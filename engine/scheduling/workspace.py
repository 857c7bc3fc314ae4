"""Where the workspace folder is by default, and how a message names it."""

from __future__ import annotations

from pathlib import Path


def default_workspace() -> Path:
    """The user's documents folder / Flowdeck."""
    from platformdirs import user_documents_path

    return user_documents_path() / "Flowdeck"


def shown(path: Path) -> str:
    """``~/Documents/Flowdeck`` rather than ``/home/ann/Documents/Flowdeck``: shorter, and what people recognise."""
    path = Path(path).expanduser()
    try:
        return "~/" + path.resolve().relative_to(Path.home().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)
