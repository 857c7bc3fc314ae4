"""docs/promises.md is up to date with the e2e tests' markers, and every marker names a real doc and section."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool():  # tools/ is not a package: load the script as a module
    spec = importlib.util.spec_from_file_location("promises_tool", ROOT / "tools" / "promises.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


promises = _tool()


def test_docs_promises_md_is_up_to_date() -> None:
    found, _ = promises.collect()
    assert found, "no e2e test carries a promise marker"
    text = (ROOT / "docs" / "promises.md").read_text(encoding="utf-8")
    assert text == promises.render(found), "run: .venv/bin/python tools/promises.py"


def test_every_e2e_test_names_an_existing_doc_and_section() -> None:
    found, problems = promises.collect()
    assert problems + promises.check(found) == []


BAD = '''
import pytest


@pytest.mark.promise("runtime.md", "Saved values (state)")
def test_good() -> None:
    """Values are kept. More words."""


@pytest.mark.promise("nowhere.md", "Anything")
def test_no_such_doc() -> None:
    """A promise of a doc that does not exist."""


@pytest.mark.promise("runtime.md", "No such section")
def test_no_such_section() -> None:
    """A promise of a section that does not exist."""


def test_unmarked() -> None:
    pass


@pytest.mark.promise("runtime.md", "Saved values (state)")
@pytest.mark.xfail(strict=True, reason="a known defect")
def test_known_defect() -> None:
    """Values are kept forever."""
'''


def test_wrong_markers_are_reported(tmp_path: Path) -> None:
    e2e = tmp_path / "tests" / "e2e"
    e2e.mkdir(parents=True)
    (e2e / "test_bad.py").write_text(BAD, encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "runtime.md").write_text(
        "# Runtime\n\n```yaml\n# Not a heading\n```\n\n## Saved values (state)\n\ntext\n", encoding="utf-8"
    )
    found, problems = promises.collect(e2e, tmp_path)
    assert found[0].text == "Values are kept."
    assert problems == [
        'tests/e2e/test_bad.py:20: test_unmarked: no @pytest.mark.promise("doc.md", "Section") marker',
        "tests/e2e/test_bad.py:20: test_unmarked: no docstring stating the promise",
    ]
    assert promises.check(found, docs) == [
        "tests/e2e/test_bad.py:10: marker names docs/nowhere.md, which does not exist",
        "tests/e2e/test_bad.py:15: docs/runtime.md has no section 'No such section'",
    ]
    assert promises.headings(docs / "runtime.md") == ["Runtime", "Saved values (state)"]
    text = promises.render(found, docs)
    assert "### Saved values (state)\n\n- Values are kept. — `tests/e2e/test_bad.py::test_good`\n" in text
    assert "- Values are kept forever. — `tests/e2e/test_bad.py::test_known_defect` **(does not hold yet" in text
