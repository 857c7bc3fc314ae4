"""Local version history with the real command and daemon: each run of a changed file keeps a version, `flowdeck
versions` lists them and names what changed, and `flowdeck history` names the version each run ran."""

from __future__ import annotations

import json

import pytest

from tests.support.product import Product, wait_until

V1 = """flowdeck: 1
name: Report
steps:
  fetch:
    do: set
    with: {values: {text: one}}
"""
V2 = V1.replace("text: one", "text: two") + "    next: tell\n  tell:\n    do: log\n    with: {message: done}\n"
V3 = V2.replace("name: Report\n", "name: Report\ntriggers:\n  - startup: {}\n")


@pytest.mark.promise("cli.md", "versions")
def test_runs_keep_versions_that_versions_lists_diffs_and_history_names(product: Product) -> None:
    """Two `flowdeck run`s of a file edited in between keep v1 and v2; the daemon running the file edited again keeps
    v3; `flowdeck versions` lists them with what changed, `--diff` names the step added and the step changed with
    the text diff, `--show` prints a version, and every run in `flowdeck history` names the version it ran."""
    path = product.write("report.yaml", V1)
    assert product.run("run", str(path)).returncode == 0
    path.write_text(V2)
    assert product.run("run", str(path)).returncode == 0
    path.write_text(V3)
    with product.daemon() as d:
        assert wait_until(lambda: len(product.history()) == 3 and product.history()[0]["status"] != "running"), d.log

    listed = product.run("versions", str(path))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["v3", "v2", "v1"]
    assert "changed triggers" in lines[0] and "added tell (log)" in lines[1] and "changed fetch" in lines[1]

    diff = product.run("versions", str(path), "--diff", "1", "2")
    assert diff.returncode == 0, diff.stderr
    assert "added:    tell (log)" in diff.stdout and "changed:  fetch: with.values, next" in diff.stdout
    assert "-    with: {values: {text: one}}" in diff.stdout and "+    with: {values: {text: two}}" in diff.stdout
    assert product.run("versions", str(path), "--show", "v1").stdout == V1
    missing = product.run("versions", str(path), "--show", "9")
    assert missing.returncode == 1 and "has no version 9 (it has v1-v3)" in missing.stderr

    runs = product.history()
    assert [(r["trigger"].get("kind"), r["version"]) for r in runs] == [("startup", 3), (None, 2), (None, 1)]
    text = product.run("history").stdout.splitlines()
    assert [line.split()[6] for line in text] == ["v3", "v2", "v1"]  # id, date, time, status, duration (2), version
    as_json = json.loads(product.run("versions", str(path), "--json").stdout)
    assert [(v["number"], v["source"]) for v in as_json] == [(3, "run"), (2, "run"), (1, "run")]
