"""`pip install` of the wheel (not editable) ships everything: packages, examples, icons, the entry point.

The wheel is built from a copy of the checkout (a ``build/`` folder left in the checkout could add files that are gone
from the sources) and installed without dependencies into a fresh venv; the venv finds the dependencies through a
``.pth`` line naming this interpreter's site-packages, which comes after its own, so the installed copy of Flowdeck is
the one imported. Every command runs outside the checkout, with no PYTHONPATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "tests"
)

pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    sources = base / "sources"
    shutil.copytree(ROOT, sources, ignore=_NOT_SOURCES)
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base), str(sources)], base)
    assert done.returncode == 0, done.stderr[-2000:]
    return next(base.glob("flowdeck-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (no pip of its own: this interpreter's pip installs into it)."""
    root = tmp_path_factory.mktemp("venv") / "env"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(root)], root.parent)
    assert made.returncode == 0, made.stderr
    python = root / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q"]
    done = _run([*pip, str(wheel)], root.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    site = Path(_check([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root))
    (site / "zz_flowdeck_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return root


def _env() -> dict[str, str]:
    drop = ("PYTHONPATH", "PYTHONHOME", "PYTHON_KEYRING_BACKEND", "VIRTUAL_ENV")  # the test keyring lives in tests/
    return {k: v for k, v in os.environ.items() if k not in drop}


def _check(cmd: list[str], cwd: Path) -> str:
    done = _run(cmd, cwd, _env())
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout.strip()


def test_wheel_contains_packages_and_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for example in (ROOT / "resources" / "examples").glob("*.yaml"):
        assert f"resources/examples/{example.name}" in names
    for module in (ROOT / "engine" / "blocks").glob("*.py"):
        assert f"engine/blocks/{module.name}" in names
    assert "engine/cli/cmd_run.py" in names
    assert "gui/app.py" in names
    assert not any(n.startswith("tests/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "flowdeck = gui.launch:entry" in text


def test_installed_package_is_imported_from_the_venv_with_its_resources(venv: Path, tmp_path: Path) -> None:
    code = "import engine, gui, resources; print(engine.__file__); print(gui.__file__); print(resources.ROOT)"
    found = [Path(p) for p in _check([str(venv / "bin" / "python"), "-c", code], tmp_path).splitlines()]
    assert len(found) == 3
    for path in found:
        assert path.is_relative_to(venv) and not path.is_relative_to(ROOT), path
    installed = found[2]
    for source in (ROOT / "resources").rglob("*"):
        if source.suffix in (".yaml", ".svg"):
            assert (installed / source.relative_to(ROOT / "resources")).is_file(), source.name
    assert len(list((installed / "icons" / "blocks").glob("*.svg"))) > 10


def test_installed_command_validates_and_runs_the_installed_examples(venv: Path, tmp_path: Path) -> None:
    flowdeck, python = str(venv / "bin" / "flowdeck"), str(venv / "bin" / "python")
    examples = Path(_check([python, "-c", "import resources; print(resources.EXAMPLES)"], tmp_path))
    files = sorted(str(p) for p in examples.glob("*.yaml"))
    assert len(files) == len(list((ROOT / "resources" / "examples").glob("*.yaml")))
    out = _check([flowdeck, "validate", *files], tmp_path)
    assert out.count(": OK") == len(files)
    ran = _check([flowdeck, "run", str(examples / "hello.yaml"), "--no-history", "--var", "who=wheel"], tmp_path)
    assert "Hello, wheel!" in ran and "succeeded" in ran.splitlines()[-1]


def test_installed_command_is_the_launcher(venv: Path, tmp_path: Path) -> None:
    """The `flowdeck` script opens the app with no command (here: no display, one line) and is a CLI otherwise."""
    flowdeck = str(venv / "bin" / "flowdeck")
    env = {k: v for k, v in _env().items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    app = _run([flowdeck], tmp_path, env)
    assert app.returncode == 1 and app.stderr.startswith("flowdeck: no display found"), app.stderr
    bogus = _run([flowdeck, "--bogus"], tmp_path, env)
    assert bogus.returncode == 2 and "unrecognized arguments: --bogus" in bogus.stderr
