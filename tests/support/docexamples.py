"""The workflow examples of a doc page: every fenced ```yaml block, named by the heading it is under.

tests/e2e/test_desktop_examples.py validates and runs the examples of docs/desktop.md; tools/app_screenshots.py
opens two of them in the editor for that page's pictures.
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*$")


def examples(doc: str) -> dict[str, str]:
    """heading -> the YAML of the one ```yaml block under it, in the page's order (two under one heading: error)."""
    found: dict[str, str] = {}
    heading, block = "", None
    for number, line in enumerate((DOCS / doc).read_text(encoding="utf-8").splitlines(), 1):
        if block is not None:
            if line.strip() == "```":
                if heading in found:
                    raise ValueError(f"{doc}:{number}: a second yaml example under '{heading}'")
                found[heading] = "\n".join(block) + "\n"
                block = None
            else:
                block.append(line)
        elif line.strip() == "```yaml":
            block = []
        elif m := _HEADING.match(line):
            heading = m.group(1)
    return found
