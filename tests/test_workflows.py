"""The GitHub Actions workflow for Windows and macOS stays valid, and the installer and signing files keep their rules.

None of these can run here (no Windows, no Mac): actionlint checks the workflow, the other tests read the files for
the rules of issue 18 (per-user install, signing without --deep, notarising the archive, macOS 13).
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
PACKAGING = ROOT / "packaging"


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    beside = Path(sys.executable).parent  # the venv's bin folder, where the dev extra puts it
    actionlint = shutil.which("actionlint", path=os.pathsep.join([str(beside), os.environ.get("PATH", "")]))
    if actionlint is None:
        pytest.skip("actionlint is not installed (the dev extra brings it on Linux x86_64)")
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert files, "no workflow in .github/workflows"
    done = subprocess.run([actionlint, "-no-color", *files], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_builds_both_bundles_and_runs_the_lowest_versions() -> None:
    text = (WORKFLOWS / "desktop.yml").read_text()
    for needed in ("windows-latest", "macos-latest", "packaging/build.py", "ISCC.exe", "./dev test-lowest"):
        assert needed in text, needed
    assert "tests/engine" in text


def test_the_windows_installer_is_per_user_and_stops_only_this_users_app() -> None:
    iss = (PACKAGING / "windows" / "flowdeck.iss").read_text()
    assert "PrivilegesRequired=lowest" in iss and "PrivilegesRequiredOverridesAllowed" not in iss
    assert 'Root: HKCU; Subkey: "Software\\Microsoft\\Windows\\CurrentVersion\\Run"' in iss
    assert "taskkill" not in iss and "stop-flowdeck.ps1" in iss
    stop = (PACKAGING / "windows" / "stop-flowdeck.ps1").read_text()
    assert 'Get-Process -Name "flowdeck-gui"' in stop and "SessionId" in stop and '"flowdeck-gui.exe"' in stop
    assert 'Get-Process -Name "flowdeck"' not in stop  # the CLI and a daemon are not the app


def test_the_mac_app_needs_macos_13_and_is_signed_without_deep_then_notarised() -> None:
    info = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    assert info["LSMinimumSystemVersion"] == "13.0"
    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert entitlements and all(v is True for v in entitlements.values())
    sign = (PACKAGING / "macos" / "sign.sh").read_text()
    code = "\n".join(line for line in sign.splitlines() if not line.lstrip().startswith("#"))
    assert "--deep" not in code and "--timestamp" in code and "--options runtime" in code
    assert '--entitlements "$here/entitlements.plist"' in code
    notarize = (PACKAGING / "macos" / "notarize.sh").read_text()
    assert 'notarytool submit "$zip"' in notarize and 'stapler staple "$app"' in notarize
    for script in ("sign.sh", "notarize.sh"):
        assert subprocess.run(["bash", "-n", str(PACKAGING / "macos" / script)]).returncode == 0
