"""The harness itself: a workflow run with the real command lands in this account's history, not the tester's."""

from __future__ import annotations

import pytest

from tests.support.product import Product


@pytest.mark.promise("runtime.md", "Run history")
def test_run_is_recorded_in_the_accounts_own_history(product: Product) -> None:
    """A run of `flowdeck run` is recorded in the run history, `history.sqlite3` in the user data folder, and
    `flowdeck history` lists it with its workflow and status."""
    flow = product.write(
        "hello.yaml", "flowdeck: 1\nname: Hello\nsteps:\n  say:\n    do: log\n    with: {message: hi}\n"
    )
    done = product.run("run", str(flow))
    assert done.returncode == 0, done.stderr
    assert "hi" in done.stdout
    runs = product.history()
    assert [(r["workflow"], r["status"]) for r in runs] == [("Hello", "succeeded")]
    assert product.history_file.is_file()
