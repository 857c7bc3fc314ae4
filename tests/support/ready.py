"""Reading a history that a starting process is still creating."""

from __future__ import annotations

import sqlite3
from typing import Any

from tests.support.product import Product


def rows_when_ready(product: Product, sql: str = "SELECT * FROM runs") -> list[dict[str, Any]]:
    """``product.history_rows(sql)``, or [] while a starting daemon has created the database file but not its tables
    (a read in that moment fails with 'no such table')."""
    try:
        return product.history_rows(sql)
    except sqlite3.OperationalError:
        return []
