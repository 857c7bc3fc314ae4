"""The sdist holds the licence, the docs and the tests, and both it and the wheel built from it carry the metadata.

``python -m build`` builds the sdist from a copy of the checkout (tracked and untracked files, not what .gitignore
names), then the wheel from that sdist, each in an isolated environment with the setuptools pyproject.toml asks
for, as a packager or a distribution does.
"""

from __future__ import annotations

import email.parser
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import engine

ROOT = Path(__file__).resolve().parents[1]
_NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "_artifacts"
)
NAME = f"flowdeck-{engine.__version__}"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("sdist")
    sources = base / "sources"
    shutil.copytree(ROOT, sources, ignore=_NOT_SOURCES)
    cmd = [sys.executable, "-m", "build", "--outdir", str(base / "out"), str(sources)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=base)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return base / "out"


def _sdist_names(built: Path) -> set[str]:
    with tarfile.open(built / f"{NAME}.tar.gz") as tar:
        return {m.name.removeprefix(f"{NAME}/") for m in tar.getmembers() if m.isfile()}


def _metadata(text: str) -> email.message.Message:
    return email.parser.Parser().parsestr(text)


def test_sdist_holds_the_licence_docs_tests_and_packaging(built: Path) -> None:
    names = _sdist_names(built)
    for path in (
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "dev",
        "tools/lowest_deps.py",
        ".github/workflows/desktop.yml",
    ):
        assert path in names, path
    tracked = {p.relative_to(ROOT).as_posix() for d in ("docs", "tests", "packaging") for p in (ROOT / d).rglob("*")}
    wanted = {p for p in tracked if (ROOT / p).is_file() and "__pycache__" not in p and "_artifacts" not in p}
    assert wanted - names == set()
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_sdist_and_wheel_declare_the_licence_urls_and_bounds(built: Path) -> None:
    with tarfile.open(built / f"{NAME}.tar.gz") as tar:
        member = tar.extractfile(f"{NAME}/PKG-INFO")
        assert member is not None
        sdist_meta = _metadata(member.read().decode())
    wheel = zipfile.ZipFile(built / f"{NAME}-py3-none-any.whl")
    wheel_meta = _metadata(wheel.read(f"{NAME}.dist-info/METADATA").decode())
    assert f"{NAME}.dist-info/licenses/LICENSE" in wheel.namelist()
    assert wheel.read(f"{NAME}.dist-info/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
    for meta in (sdist_meta, wheel_meta):
        assert meta["License-Expression"] == "MIT" and meta.get_all("License-File") == ["LICENSE"]
        assert meta["License"] is None  # the expression replaces the old free-text field
        urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
        assert {"Homepage", "Source", "Issues", "Documentation"} <= urls.keys()
        classifiers = meta.get_all("Classifier")
        assert "Programming Language :: Python :: 3.11" in classifiers
        assert any(c.startswith("Development Status ::") for c in classifiers)
        assert {"Operating System :: POSIX :: Linux", "Operating System :: Microsoft :: Windows"} <= set(classifiers)
        qt = [r for r in meta.get_all("Requires-Dist") if r.startswith("PySide6-Essentials")]
        assert sorted(qt) == [
            'PySide6-Essentials<6.12,>=6.8; python_version < "3.12"',
            'PySide6-Essentials<7,>=6.8; python_version >= "3.12"',
        ]
