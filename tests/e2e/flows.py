"""Running a workflow with the real ``flowdeck run --json`` and reading what it printed (for the e2e tests)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.support.product import Product


def run_json(
    product: Product, name: str, text: str, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], Any]:
    """Write workflow ``name`` with ``text``, run it with ``flowdeck run --json``, return the process and the record
    it printed (run id, status, error, outputs, and every step's output)."""
    flow = product.write(name, text)
    done = product.run("run", "--json", "--no-history", str(flow), *args, env=env)
    try:
        record = json.loads(done.stdout)
    except ValueError:
        raise AssertionError(f"flowdeck run --json printed no record:\n{done.stdout}\n{done.stderr}") from None
    return done, record
