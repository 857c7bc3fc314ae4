"""Build docs/promises.md: every promise the docs make that an end-to-end test holds, by doc and section.

    .venv/bin/python tools/promises.py           # rewrite docs/promises.md
    .venv/bin/python tools/promises.py --check   # exit 1 if it is out of date or a marker is wrong (what the test does)

Each test in tests/e2e/*.py and tests/packaging/*.py (the installed bundle, driven as a person does) carries
``@pytest.mark.promise("runtime.md", "Section")`` and a docstring stating the promise. The files are read with
``ast`` (no test runs, no imports), so this takes a fraction of a second.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
E2E, DOCS = ROOT / "tests" / "e2e", ROOT / "docs"
PACKAGING = ROOT / "tests" / "packaging"  # the installed bundle and .deb, driven as a person does (docs/packaging.md)
OUTPUT = "promises.md"
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Promise:
    """One marker of one test: the doc and section it names, what it promises, where the test is."""

    doc: str
    section: str
    text: str  # the docstring's first sentence
    test: str  # tests/e2e/test_x.py::test_name
    line: int  # of the marker
    broken: bool = False  # the test is marked xfail: a known defect, the promise does not hold yet


def headings(doc: Path) -> list[str]:
    """The section headings of a Markdown file in their order (headings inside code blocks are not headings)."""
    found, fenced = [], False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (m := HEADING.match(line)):
            found.append(m.group(2))
    return found


def first_sentence(docstring: str) -> str:
    """The docstring's first sentence, on one line."""
    text = " ".join(docstring.split())
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z`\"(])", text)
    return text[: m.start()] if m else text


def _is_xfail(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(target) in ("pytest.mark.xfail", "mark.xfail")


def _is_marker(decorator: ast.expr) -> bool:
    """Whether ``decorator`` is ``pytest.mark.promise(...)``."""
    return isinstance(decorator, ast.Call) and ast.unparse(decorator.func) in ("pytest.mark.promise", "mark.promise")


def collect(e2e: Path | tuple[Path, ...] = (E2E, PACKAGING), root: Path = ROOT) -> tuple[list[Promise], list[str]]:
    """The promises of every test in the folders ``e2e``, and the problems found (a test without marker or
    docstring...)."""
    promises: list[Promise] = []
    problems: list[str] = []
    folders = (e2e,) if isinstance(e2e, Path) else e2e
    for file in sorted(f for folder in folders for f in folder.glob("test_*.py")):
        rel = file.relative_to(root).as_posix()
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not node.name.startswith("test"):
                continue
            where = f"{rel}:{node.lineno}: {node.name}"
            doc = ast.get_docstring(node)
            markers = [d for d in node.decorator_list if isinstance(d, ast.Call) and _is_marker(d)]
            if not markers:
                problems.append(f'{where}: no @pytest.mark.promise("doc.md", "Section") marker')
            if not doc:
                problems.append(f"{where}: no docstring stating the promise")
            for marker in markers:
                values = [a.value for a in marker.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if len(values) != 2 or len(marker.args) != 2 or marker.keywords:
                    problems.append(f'{where}: the marker needs two texts, promise("doc.md", "Section")')
                    continue
                broken = any(map(_is_xfail, node.decorator_list))
                promises.append(Promise(values[0], values[1], first_sentence(doc or ""), f"{rel}::{node.name}",
                                        marker.lineno, broken))  # fmt: skip
    return promises, problems


def check(promises: list[Promise], docs: Path = DOCS) -> list[str]:
    """Markers that name a doc file or a section heading that does not exist."""
    problems = []
    for p in promises:
        doc = docs / p.doc
        if not doc.is_file() or p.doc == OUTPUT:
            problems.append(f"{p.test.split('::')[0]}:{p.line}: marker names docs/{p.doc}, which does not exist")
        elif p.section not in headings(doc):
            problems.append(f"{p.test.split('::')[0]}:{p.line}: docs/{p.doc} has no section {p.section!r}")
    return problems


def render(promises: list[Promise], docs: Path = DOCS) -> str:
    """docs/promises.md: per doc file (by name) and section (in the doc's heading order), each promise and test."""
    lines = [
        "# Promises and the tests that hold them",
        "",
        "Generated by `tools/promises.py` from the `@pytest.mark.promise(doc, section)` markers of the end-to-end",
        "tests in `tests/e2e/`; do not edit by hand. Each line is a promise of the docs (the test's docstring, first",
        "sentence) and the test that runs the real product to hold it.",
        "A promise marked as not holding yet has a test that is expected to fail until the defect is fixed.",
        "",
    ]
    for doc in sorted({p.doc for p in promises}):
        lines += [f"## [{doc}]({doc})", ""]
        order = headings(docs / doc) if (docs / doc).is_file() else []
        mine = [p for p in promises if p.doc == doc]
        sections = sorted({p.section for p in mine}, key=lambda s: (order.index(s) if s in order else len(order), s))
        for section in sections:
            lines += [f"### {section}", ""]
            for p in sorted((p for p in mine if p.section == section), key=lambda p: (p.test.split("::")[0], p.line)):
                known = " **(does not hold yet: a known defect, the test is marked xfail)**" if p.broken else ""
                lines.append(f"- {p.text} — `{p.test}`{known}")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build docs/promises.md from the markers of the e2e tests.")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if out of date or a marker is wrong")
    args = parser.parse_args(argv)
    promises, problems = collect()
    problems += check(promises)
    for problem in problems:
        print(problem, file=sys.stderr)
    text, target = render(promises), DOCS / OUTPUT
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"docs/{OUTPUT} is out of date: run python tools/promises.py", file=sys.stderr)
            return 1
        return 1 if problems else 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote docs/{OUTPUT}: {len(promises)} promises")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
