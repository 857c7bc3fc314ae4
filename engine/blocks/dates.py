"""Dates and times: parse, add or subtract a duration, format."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from engine.blocks._common import duration_param
from engine.errors import StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext


@block(
    "datetime",
    title="Date & time",
    category="Data",
    icon="clock",
    help="Work out a date and time: start from now, today or a given value, add or subtract a duration, and "
    "format it, e.g. 30 days ago as 2026-01-31, or tomorrow's weekday.",
    params=[
        Param(
            "value",
            Kind.TEXT,
            default="now",
            help="now, today, a date/time like 2026-03-01 14:30, a Unix timestamp, or {{ an expression }}.",
        ),
        Param("input_format", Kind.TEXT, default="", help="How 'value' is written if not ISO, e.g. %d.%m.%Y."),
        Param("add", Kind.DURATION, default="", help="Add this much, e.g. 1d or 2h30m."),
        Param("subtract", Kind.DURATION, default="", help="Subtract this much, e.g. 30d."),
        Param("format", Kind.TEXT, default="%Y-%m-%d %H:%M", help="How to write the result (strftime codes)."),
        Param("timezone", Kind.TEXT, default="", help="Show the time in this zone, e.g. Europe/Berlin or UTC."),
    ],
    outputs=[
        Output("text", "the result written with 'format'"),
        Output("iso", "ISO 8601, e.g. 2026-03-01T14:30:00"),
        Output("date", "YYYY-MM-DD"),
        Output("time", "HH:MM:SS"),
        Output("timestamp", "seconds since 1970 (Unix time)"),
        Output("year"),
        Output("month"),
        Output("day"),
        Output("hour"),
        Output("minute"),
        Output("weekday", "Monday ... Sunday"),
        Output("weekday_number", "1 = Monday ... 7 = Sunday"),
        Output("week", "ISO week number"),
    ],
    summary="value",
)
def datetime_block(
    ctx: StepContext,
    value: Any = "now",
    input_format: str = "",
    add: Any = "",
    subtract: Any = "",
    format: str = "%Y-%m-%d %H:%M",
    timezone: str = "",
) -> dict[str, Any]:
    moment = parse_moment(value, input_format)
    moment += timedelta(seconds=duration_param(add, "add") or 0)
    moment -= timedelta(seconds=duration_param(subtract, "subtract") or 0)
    if timezone:
        moment = moment.astimezone(_zone(str(timezone)))
    try:
        text = moment.strftime(str(format or "%Y-%m-%d %H:%M"))
    except ValueError as exc:
        raise StepError(f"format: {format!r} cannot be used ({exc})", kind="value") from None
    return {
        "text": text,
        "iso": moment.isoformat(timespec="seconds"),
        "date": moment.date().isoformat(),
        "time": moment.time().isoformat(timespec="seconds"),
        "timestamp": round(moment.timestamp(), 3),
        "year": moment.year,
        "month": moment.month,
        "day": moment.day,
        "hour": moment.hour,
        "minute": moment.minute,
        "weekday": moment.strftime("%A"),
        "weekday_number": moment.isoweekday(),
        "week": moment.isocalendar().week,
    }


def _zone(name: str) -> Any:
    from datetime import UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name.upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise StepError(f"timezone: unknown time zone {name!r} (e.g. Europe/Berlin, America/New_York, UTC)", "value")


def parse_moment(value: Any, input_format: str = "") -> datetime:
    """A date and time from what a person or an earlier step gives."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value)
    text = str(value if value is not None else "now").strip()
    lowered = text.lower()
    if lowered in ("", "now"):
        return datetime.now()
    if lowered == "today":
        return datetime.combine(date.today(), time())
    try:
        if input_format:
            return datetime.strptime(text, input_format)
        return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        pass
    try:
        return datetime.fromtimestamp(float(text))
    except (ValueError, OverflowError, OSError):
        how = f"written as {input_format!r}" if input_format else "like 2026-03-01 or 2026-03-01 14:30"
        raise StepError(f"value: {text!r} is not a date and time {how}", kind="value") from None
