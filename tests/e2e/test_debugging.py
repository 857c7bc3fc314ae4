"""docs/debugging.md with the real `flowdeck` command and daemon, each in a HOME of its own: one step alone and a
run from a step with a past run's outputs, pins (used by `run --pins`, never by the daemon), and breakpoints driven
through stdin, checked by the files the steps write, the words printed and the history."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.product import Product, wait_until

CHAIN = """flowdeck: 1
name: Chain
vars: {{greeting: hi}}
triggers:
  - startup: {{}}
steps:
  first:
    do: file.write
    with: {{path: "{out}/first.txt", content: "{{{{ run.id }}}}"}}
    next: second
  second:
    do: log
    with: {{message: "{{{{ vars.greeting }}}} {{{{ steps.first.path }}}}"}}
    next: third
  third:
    do: file.write
    with: {{path: "{out}/third.txt", content: "{{{{ steps.second.message }}}}"}}
"""


def _chain(product: Product) -> tuple[Path, Path]:
    out = product.home / "out"
    out.mkdir()
    return product.write("chain.yaml", CHAIN.format(out=out)), out


@pytest.mark.promise("debugging.md", "Run one step")
@pytest.mark.promise("debugging.md", "Run from a step")
def test_one_step_and_a_run_from_a_step_reuse_a_past_runs_outputs(product: Product) -> None:
    """`--step` runs one step with the earlier outputs of the last run and nothing after it (source `step` in the
    history); `--from` with `--using-run` starts there without running the steps before; a misspelt step is
    refused with the nearest name, exit code 2."""
    path, out = _chain(product)
    first = product.run("run", str(path))
    assert first.returncode == 0, first.stderr
    past = product.history()[0]["run_id"]
    (out / "first.txt").unlink()
    (out / "third.txt").unlink()
    one = product.run("run", str(path), "--step", "second")
    assert one.returncode == 0, one.stderr
    assert f"outputs before 'second' from run {past}" in one.stdout
    assert f"second: hi {out / 'first.txt'}" in one.stdout
    assert not (out / "first.txt").exists() and not (out / "third.txt").exists()
    assert product.history()[0]["source"] == "step"
    going = product.run("run", str(path), "--from", "second", "--using-run", past[:6])
    assert going.returncode == 0, going.stderr
    assert not (out / "first.txt").exists()
    assert (out / "third.txt").read_text() == f"hi {out / 'first.txt'}"
    typo = product.run("run", str(path), "--from", "secnd")
    assert typo.returncode == 2
    assert "no step 'secnd' (did you mean 'second'?)" in typo.stderr


@pytest.mark.promise("debugging.md", "Pinned outputs")
def test_pins_are_used_by_trying_runs_and_never_by_the_daemon(product: Product) -> None:
    """A pin typed with `flowdeck pin` stands in for its step in `flowdeck run --pins` (the step is not run, the
    next sees the pin, the run says pinned); the workflow file is unchanged and the pin sits in
    .flowdeck/pins/; the daemon's startup run of the same workflow runs the step for real."""
    path, out = _chain(product)
    before = path.read_text()
    pinned = product.run("pin", str(path), "first", "--value", "{path: PINNED}")
    assert pinned.returncode == 0, pinned.stderr
    assert (product.workspace / ".flowdeck" / "pins" / "chain.yaml.json").exists()
    assert path.read_text() == before
    listed = product.run("pin", str(path))
    assert 'first  (typed)  {"path": "PINNED"}' in listed.stdout
    tried = product.run("run", str(path), "--pins")
    assert tried.returncode == 0, tried.stderr
    assert "✓ first  (pinned)" in tried.stdout
    assert not (out / "first.txt").exists()
    assert (out / "third.txt").read_text() == "hi PINNED"
    (out / "third.txt").unlink()
    with product.daemon() as d:
        assert wait_until(lambda: (out / "third.txt").exists(), 30), d.log
        d.stop()
    assert (out / "first.txt").exists(), "the daemon ran the pinned step for real"
    assert (out / "third.txt").read_text() == f"hi {out / 'first.txt'}"
    removed = product.run("pin", str(path), "first", "--remove")
    assert removed.returncode == 0 and "unpinned first" in removed.stdout
    assert product.run("pin", str(path)).stdout.strip() == "no pinned steps"


@pytest.mark.promise("debugging.md", "Breakpoints")
def test_a_breakpoint_pauses_shows_the_data_and_takes_commands(product: Product) -> None:
    """`--break second` pauses before `second` and shows vars and earlier outputs; `p` prints a value, `s` pauses
    before the next step, and `q` stops the run (cancelled, exit 1) before `third` wrote anything."""
    path, out = _chain(product)
    done = product.run("run", str(path), "--break", "second", input="p steps.first.path\ns\nq\n")
    assert done.returncode == 1, done.stderr
    text = done.stdout
    assert "⏸ paused before step 'second' [log]" in text
    assert 'vars.greeting = "hi"' in text
    assert f'"{out / "first.txt"}"' in text  # printed by `p steps.first.path`
    assert "⏸ paused before step 'third' [file.write]" in text
    assert "■ cancelled" in text
    assert not (out / "third.txt").exists()
    assert product.history()[0]["status"] == "cancelled"


@pytest.mark.promise("debugging.md", "Breakpoints")
def test_a_conditional_breakpoint_and_the_end_of_the_commands(product: Product) -> None:
    """`--break 'shout={{ loop.index == 1 }}'` pauses in the second round of a for_each only; when stdin ends the
    run continues to its end without pausing again."""
    path = product.write(
        "loop.yaml",
        """flowdeck: 1
name: Loop
steps:
  each: {do: for_each, with: {items: [a, b, c]}, next: {body: shout}}
  shout: {do: log, with: {message: "round {{ loop.item }}"}}
""",
    )
    done = product.run("run", str(path), "--break", "shout={{ loop.index == 1 }}", input="")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("⏸ paused") == 1
    assert '"item": "b"' in done.stdout
    assert "(no more commands: continuing to the end)" in done.stdout
    assert "shout: round c" in done.stdout
