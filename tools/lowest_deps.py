"""Print pip constraints that pin every dependency of pyproject.toml to the lowest version it declares.

``./dev test-lowest`` installs Flowdeck with these constraints into a venv of its own and runs the engine and GUI
tests there, so a lower bound in pyproject.toml is only declared if the suite passes with it. A requirement with an
environment marker keeps it (``PySide6-Essentials==6.8.1; python_version < "3.12"``): pip applies the pins that
match the interpreter. Only ``>=`` and ``==`` give a lowest version; a dependency with neither is left unpinned.

Usage: python tools/lowest_deps.py [--extra NAME ...] > constraints.txt
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(?P<spec>[^;]*)(;(?P<marker>.*))?$"
)
_LOWEST = re.compile(r"(?:>=|==)\s*(?P<version>[0-9][^,\s]*)")


def lowest_pin(requirement: str) -> str | None:
    """``'httpx>=0.28.1,<1'`` -> ``'httpx==0.28.1'``, keeping a marker; None when there is no lower bound."""
    match = _REQUIREMENT.match(requirement)
    if match is None:
        raise ValueError(f"pyproject.toml: cannot read the requirement {requirement!r}")
    lowest = _LOWEST.search(match["spec"])
    if lowest is None:
        return None
    pin = f"{match['name']}=={lowest['version']}"
    marker = (match["marker"] or "").strip()
    return f"{pin}; {marker}" if marker else pin


def constraints(pyproject: Path, extras: list[str]) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            names = ", ".join(optional)
            raise SystemExit(f"lowest_deps: pyproject.toml has no extra named {extra!r} (it has: {names})")
        requirements += optional[extra]
    return [pin for pin in map(lowest_pin, requirements) if pin is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lowest_deps", description=__doc__.splitlines()[0])
    parser.add_argument("--extra", action="append", default=[], help="also pin this extra's requirements")
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    args = parser.parse_args(argv)
    sys.stdout.write("".join(f"{line}\n" for line in constraints(args.pyproject, args.extra)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
