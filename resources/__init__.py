"""Data files shipped with Flowdeck: icons and example workflows."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
EXAMPLES = ROOT / "examples"
ICONS = ROOT / "icons"
