"""The app keeps no module source in memory for PySide6's feature check (gui.shell.memory.keep_no_source)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CHECK = textwrap.dedent(
    """
    import linecache, sys
    import PySide6.QtCore
    from gui.shell.memory import keep_no_source
    keep_no_source()
    assert not linecache.cache, "the lines read at PySide6's import are dropped"
    sys.path.insert(0, sys.argv[1])
    import mentions_qt, plain
    feature = sys.modules["shibokensupport.feature"]
    print(sorted(n for n in linecache.cache if n.endswith(".py")))
    print(feature.pyside_feature_dict.get("mentions_qt"), feature.pyside_feature_dict.get("plain"))
    """
)


def test_modules_imported_after_pyside6_leave_no_lines_and_are_still_told_apart(tmp_path: Path) -> None:
    """A fresh interpreter, as the app starts: a module that mentions PySide6 is still marked as one (0), one that
    does not as not (-1), and linecache holds neither file."""
    (tmp_path / "mentions_qt.py").write_text("from PySide6.QtCore import QObject\n")
    (tmp_path / "plain.py").write_text("VALUE = 1\n")
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "0 -1"]
