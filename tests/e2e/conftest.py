"""End-to-end tests: the product driven as a person drives it (see tests/support/product.py and docs/promises.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.product import Product


@pytest.fixture
def product(tmp_path: Path) -> Iterator[Product]:
    """A fresh account with its own HOME, XDG folders and workspace; daemons left running are killed."""
    p = Product(tmp_path)
    try:
        yield p
    finally:
        p.close()


# Every test here names the promise it holds: @pytest.mark.promise("runtime.md", "Section title"), and its docstring
# quotes or restates the promise. tools/promises.py builds docs/promises.md from these.
