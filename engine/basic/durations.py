"""REMEMBER durations (BASIC.md §8.1)."""

from __future__ import annotations

import datetime as dt
import math
import re

from engine.basic.errors import BasicValueError
from engine.basic.query import Value
from engine.basic.values import json_text, parse_numeric, text

_SECONDS_PER_UNIT = {
    **dict.fromkeys(("second", "seconds", "sec", "s"), 1),
    **dict.fromkeys(("minute", "minutes", "min", "m"), 60),
    **dict.fromkeys(("hour", "hours", "h"), 3600),
    **dict.fromkeys(("day", "days", "d"), 86400),
    **dict.fromkeys(("week", "weeks", "w"), 7 * 86400),
    **dict.fromkeys(("month", "months"), 30 * 86400),
    **dict.fromkeys(("year", "years"), 365 * 86400),
}
_DURATION_RE = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-z]+)", re.IGNORECASE)


def parse_duration(value: Value) -> dt.timedelta | None:
    """The expiry of ``REMEMBER key, value, duration``; None means it never expires.

    A number (or numeric string) is seconds; otherwise ``n unit``. Null, ``""`` and
    ``"forever"`` mean no expiry. Anything else — including negative or non-finite amounts —
    raises :class:`BasicValueError`.
    """
    if value is None:
        return None
    if type(value) in (int, float):
        return _seconds(value, value)
    if type(value) is not str:
        raise _unreadable(value)
    return _parse_duration_text(value)


def _parse_duration_text(value: str) -> dt.timedelta | None:
    spec = value.strip()
    if spec == "" or spec.lower() == "forever":
        return None
    number = parse_numeric(spec)
    if number is not None:
        return _seconds(number, value)
    match = _DURATION_RE.fullmatch(spec)
    unit = _SECONDS_PER_UNIT.get(match[2].lower()) if match else None
    if match is None or unit is None:
        raise _unreadable(value)
    return _seconds(float(match[1]) * unit, value)


def _seconds(amount: float, original: Value) -> dt.timedelta:
    try:
        if math.isfinite(amount) and amount >= 0:
            return dt.timedelta(seconds=amount)
    except OverflowError:  # more seconds than timedelta (or a float) can hold
        pass
    raise _unreadable(original)


def _unreadable(value: Value) -> BasicValueError:
    shown = json_text(value) if type(value) in (str, list, dict) else text(value)
    if len(shown) > 40:  # a pasted blob or a 300-digit number would drown the message
        shown = shown[:37] + "..."
    return BasicValueError(f"invalid duration {shown}")
