"""A disabled step (`disabled: true`) is passed over by `flowdeck run`: marked skipped, its `next` still followed."""

from __future__ import annotations

import json

import pytest

from tests.support.product import Product

FLOW = """flowdeck: 1
name: Passing over
steps:
  first:
    do: file.write
    with: {{path: "{out}/first.txt", content: one}}
    next: middle
  middle:
    do: file.write
    disabled: true
    with: {{path: "{out}/middle.txt", content: two}}
    next: last
  last:
    do: file.write
    with: {{path: "{out}/last.txt", content: three}}
"""


@pytest.mark.promise("format.md", "Steps")
def test_a_disabled_step_is_skipped_with_a_mark_and_the_run_goes_on_along_its_next(product: Product) -> None:
    """`flowdeck run` on a file whose middle step is disabled: that step writes nothing, the step after it runs,
    the output and the history mark it skipped (reason: disabled), and the run succeeds."""
    out = product.home / "out"
    out.mkdir()
    path = product.write("passing.yaml", FLOW.format(out=out))
    done = product.run("run", str(path))
    assert done.returncode == 0, done.stderr
    assert (out / "first.txt").read_text() == "one" and (out / "last.txt").read_text() == "three"
    assert not (out / "middle.txt").exists()
    assert "middle: skipped: the step is disabled" in done.stdout + done.stderr
    listed = product.history()[0]
    assert listed["status"] == "succeeded"
    shown = product.run("history", "--run", listed["run_id"], "--json")
    steps = {s["step"]: s["status"] for s in json.loads(shown.stdout)["steps"]}
    assert steps == {"first": "succeeded", "middle": "skipped", "last": "succeeded"}, shown.stdout
    text = product.run("history", "--run", listed["run_id"]).stdout
    assert "middle [file.write] skipped" in text, text
    assert "log info: skipped: the step is disabled (disabled: true)" in text
