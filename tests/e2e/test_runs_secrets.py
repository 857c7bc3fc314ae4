"""A secret stays masked in every run a run touches: child workflows, on_failure workflows, and its encodings."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from tests.support import filekeyring
from tests.support.product import Product

SECRET = "tok/en+S3cr3t=42&x"  # with characters that URL-encoding and JSON change


@pytest.fixture
def account(product: Product) -> Product:
    product.env["PYTHON_KEYRING_BACKEND"] = filekeyring.BACKEND
    filekeyring.store(product.data, "flowdeck", {"api": SECRET})
    return product


def everything(product: Product) -> str:
    """All the history holds (every run and step row) and the history command's JSON of every run."""
    rows = product.history_rows() + product.history_rows("SELECT * FROM steps")
    runs = [product.run("history", "--run", r["run_id"], "--json").stdout for r in product.history_rows()]
    return json.dumps(rows, default=str, ensure_ascii=False) + "".join(runs)


def encodings(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        secret,
        base64.b64encode(raw).decode(),
        base64.b64encode(b"user:" + raw).decode()[8:-4],  # the secret's part of a Basic auth header
        quote(secret, safe=""),
        raw.hex(),
        json.dumps(secret)[1:-1],
    ]


@pytest.mark.promise("runtime.md", "Another workflow: workflow.run")
def test_a_secret_passed_to_a_child_workflow_stays_masked_there(account: Product) -> None:
    """A secret handed to a child workflow through ``inputs`` is masked in the child's events, output and history
    as in the parent's: a run masks its secrets in every run it starts."""
    account.write(
        "child.yaml",
        """flowdeck: 1
name: Child
outputs: {echo: "{{ vars.token }}"}
steps:
  say: {do: log, with: {message: "child got {{ vars.token }}"}}
""",
    )
    parent = account.write(
        "parent.yaml",
        """flowdeck: 1
name: Parent
steps:
  call: {do: workflow.run, with: {path: child.yaml, inputs: {token: "{{ secrets.api }}"}}}
""",
    )
    done = account.run("run", str(parent))
    assert done.returncode == 0, done.stderr
    assert "child got •••" in done.stdout
    assert SECRET not in done.stdout + done.stderr
    assert {r["workflow"] for r in account.history_rows()} == {"Parent", "Child"}
    stored = everything(account)
    assert SECRET not in stored, stored[max(0, stored.find(SECRET) - 400) : stored.find(SECRET) + 40]
    assert "child got •••" in stored


@pytest.mark.promise("runtime.md", "Errors: retry, timeout, on_error, on_failure")
def test_an_error_holding_a_secret_reaches_on_failure_masked(account: Product) -> None:
    """The error an on_failure workflow gets (``vars.error``) has the failed run's secrets masked in its events and
    history."""
    account.write(
        "alert.yaml",
        """flowdeck: 1
name: Alert
steps:
  tell: {do: log, with: {message: "failed: {{ vars.error.message }}"}}
""",
    )
    flow = account.write(
        "fails.yaml",
        """flowdeck: 1
name: Fails
on_failure: alert.yaml
steps:
  boom: {do: fail, with: {message: "bad token {{ secrets.api }}"}}
""",
    )
    done = account.run("run", str(flow))
    assert done.returncode == 1
    assert "failed: bad token •••" in done.stdout
    assert SECRET not in done.stdout + done.stderr
    assert {r["workflow"] for r in account.history_rows()} == {"Fails", "Alert"}
    assert SECRET not in everything(account)


@pytest.mark.promise("runtime.md", "Events")
def test_common_encodings_of_a_secret_are_masked_too(account: Product) -> None:
    """Not only the value is masked: its base64 (also inside a longer text, as in a Basic auth header), URL-encoded,
    hex and JSON-escaped forms are replaced by ••• in events, output and history."""
    flow = account.write(
        "encode.yaml",
        """flowdeck: 1
name: Encode
steps:
  enc:
    do: python.run
    with:
      inputs: {token: "{{ secrets.api }}"}
      code: |
        import base64, json, urllib.parse
        raw = inputs["token"].encode()
        result = {
            "b64": base64.b64encode(raw).decode(),
            "basic": "Basic " + base64.b64encode(b"user:" + raw).decode(),
            "url": "https://x.test/?t=" + urllib.parse.quote(inputs["token"], safe=""),
            "hex": raw.hex(),
            "json": json.dumps({"t": inputs["token"]}),
        }
        print(result["basic"])
    next: say
  say: {do: log, with: {message: "{{ steps.enc.result }}"}}
""",
    )
    done = account.run("run", str(flow))
    assert done.returncode == 0, done.stdout + done.stderr
    shown = done.stdout + done.stderr + everything(account)
    for encoded in encodings(SECRET):
        assert encoded not in shown, encoded
    assert "Basic " in shown and "•••" in shown
