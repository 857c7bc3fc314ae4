"""Schedules in words, as the workflows page, the tray and `flowdeck status` show them."""

from __future__ import annotations

import pytest

from engine.scheduling.describe import describe_cron


@pytest.mark.parametrize(
    ("cron", "words"),
    [
        ("0 3 * * sun", "every Sunday at 03:00"),
        ("0 0 * * 7", "every Sunday at 00:00"),
        ("0 8 * * mon-fri", "every weekday at 08:00"),
        ("0 8 * * 1-5", "every weekday at 08:00"),
        ("0 10 * * sat,sun", "every weekend day at 10:00"),
        ("0 8 * * mon,thu", "every Monday and Thursday at 08:00"),
        ("0 8 * * Tue,WED,fri", "every Tuesday, Wednesday and Friday at 08:00"),
        ("30 7 * * *", "every day at 07:30"),
        ("0 9,17 * * *", "every day at 09:00 and 17:00"),
        ("0 9 1 * *", "on day 1 of every month at 09:00"),
        ("*/15 * * * *", "every 15 minutes"),
        ("*/15 * * * mon-fri", "every 15 minutes on weekdays"),
        ("5 * * * *", "every hour at minute 5"),
    ],
)
def test_common_shapes_read_as_words(cron: str, words: str) -> None:
    assert describe_cron(cron) == words


@pytest.mark.parametrize("cron", ["0 8 * 1 *", "0 8-17 * * *", "0 8 * * xyz", "1 2 3", "0 8 1 * mon"])
def test_other_shapes_are_shown_as_written(cron: str) -> None:
    assert describe_cron(cron) == f"cron '{cron}'"
