"""SET SCHEDULE specs (BASIC.md §9.6): phrases to cron, cron validation and the next run.

The scheduler has minute resolution: a 6-field spec (seconds first) is accepted, its seconds
field is checked and then ignored, so it runs once in each matching minute. Day of month and
day of week follow the usual cron rule: when both are restricted (neither starts with ``*``),
a day matches if *either* matches; otherwise both must.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from engine.basic.errors import BasicValueError
from engine.basic.validators import parse_time

_MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                        "nov", "dec")  # fmt: skip
_DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_MONTH_NUMBERS = {name: i for i, name in enumerate(_MONTH_ABBREVIATIONS, 1)}
_DAY_NUMBERS = {name[:3]: i for i, name in enumerate(_DAY_NAMES)}


@dataclass(frozen=True, slots=True)
class _Field:
    low: int
    high: int
    names: dict[str, int]
    may_be_any: bool = False  # "?" is the Quartz spelling of "*" for the two day fields


_SECOND = _Field(0, 59, {})
_MINUTE = _Field(0, 59, {})
_HOUR = _Field(0, 23, {})
_DAY = _Field(1, 31, {}, may_be_any=True)
_MONTH = _Field(1, 12, _MONTH_NUMBERS)
_WEEKDAY = _Field(0, 7, _DAY_NUMBERS, may_be_any=True)  # 0 and 7 are both Sunday


@dataclass(frozen=True, slots=True)
class _Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    either_day: bool  # both day fields restricted: the OR rule applies

    def matches_day(self, day: dt.date) -> bool:
        if day.month not in self.months:
            return False
        by_date = day.day in self.days
        by_weekday = day.isoweekday() % 7 in self.weekdays
        return by_date or by_weekday if self.either_day else by_date and by_weekday


# --- parsing cron fields -------------------------------------------------------------------


def _is_number(text: str) -> bool:
    # Short ASCII digit runs only: no "²", and no 5000-digit int() conversions.
    return text.isascii() and text.isdigit() and len(text) <= 9


def _value(text: str, field: _Field) -> int | None:
    number = int(text) if _is_number(text) else field.names.get(text.lower())
    return number if number is not None and field.low <= number <= field.high else None


def _element(text: str, field: _Field) -> set[int] | None:
    """One comma-separated element: ``*``, ``n``, ``a-b``, each optionally ``/step``."""
    base, slash, step_text = text.partition("/")
    step = int(step_text) if _is_number(step_text) else 0
    if slash and not 1 <= step <= field.high - field.low + 1:
        return None
    if base == "*" or (base == "?" and field.may_be_any and not slash):
        low, high = field.low, field.high
    else:
        first, dash, last = base.partition("-")
        low_value = _value(first, field)
        high_value = _value(last, field) if dash else (field.high if slash else low_value)
        if low_value is None or high_value is None or low_value > high_value:
            return None
        low, high = low_value, high_value
    return set(range(low, high + 1, step or 1))


def _field(text: str, field: _Field) -> frozenset[int] | None:
    values: set[int] = set()
    for part in text.split(","):
        element = _element(part, field)
        if element is None:
            return None
        values |= element
    return frozenset(values)


def _parse_cron(expr: str) -> _Cron | None:
    parts = expr.split()
    if len(parts) == 6:
        if _field(parts[0], _SECOND) is None:
            return None
        parts = parts[1:]
    if len(parts) != 5:
        return None
    layout = (_MINUTE, _HOUR, _DAY, _MONTH, _WEEKDAY)
    fields = [_field(text, field) for text, field in zip(parts, layout)]
    minutes, hours, days, months, weekdays = fields
    if minutes is None or hours is None or days is None or months is None or weekdays is None:
        return None
    restricted = [not parts[i].startswith(("*", "?")) for i in (2, 4)]
    return _Cron(
        minutes=tuple(sorted(minutes)),
        hours=tuple(sorted(hours)),
        days=days,
        months=months,
        weekdays=frozenset(d % 7 for d in weekdays),
        either_day=all(restricted),
    )


_LONGEST_MONTH = {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}


def _can_fire(cron: _Cron) -> bool:
    """False for specs such as ``0 0 30 2 *`` whose day never exists."""
    if cron.either_day:
        return True
    return any(day <= _LONGEST_MONTH.get(m, 31) for m in cron.months for day in cron.days)


def is_valid_cron(expr: str) -> bool:
    """True for a 5-field or 6-field cron spec that fires at least once."""
    cron = _parse_cron(expr)
    return cron is not None and _can_fire(cron)


# --- the next run --------------------------------------------------------------------------

# Feb 29 with Feb 29 as the only allowed day can be 8 years away (2096 → 2104); a date that
# must also fall on one weekday (``* * 19 1 */7``: a Sunday 19 January) can be 11+ years
# away, and the calendar's weekday pattern only repeats after 28 years (400 across 2100).
_SEARCH_DAYS = 40 * 366


def next_fire(cron: str, after: dt.datetime) -> dt.datetime:
    """The first minute strictly after ``after`` that ``cron`` matches (seconds are 0).

    ``after`` is a naive local time (any tzinfo is kept as is). An invalid spec raises
    :class:`BasicValueError`.
    """
    spec = _parse_cron(cron)
    if spec is None or not _can_fire(spec):
        raise BasicValueError(f"invalid schedule {cron!r}")
    start = after.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    day, earliest = start.date(), start.time()
    for _ in range(_SEARCH_DAYS):
        if spec.matches_day(day):
            time = _first_time(spec, earliest)
            if time is not None:
                return dt.datetime.combine(day, time, tzinfo=after.tzinfo)
        day, earliest = day + dt.timedelta(days=1), dt.time(0, 0)
    raise BasicValueError(f"schedule {cron!r} never fires")  # unreachable when _can_fire


def _first_time(spec: _Cron, earliest: dt.time) -> dt.time | None:
    for hour in spec.hours:
        if hour < earliest.hour:
            continue
        floor = earliest.minute if hour == earliest.hour else 0
        minute = next((m for m in spec.minutes if m >= floor), None)
        if minute is not None:
            return dt.time(hour, minute)
    return None


# --- phrases -------------------------------------------------------------------------------

_TIME = r"(?P<time>.+)"
_DAY_WORD = r"(?:" + "|".join(f"{name[:3]}(?:{name[3:]})?" for name in _DAY_NAMES) + r")s?"
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (r"every minute", "* * * * *"),
        (r"every (?P<n>[0-9]+) (?:minutes?|mins?)", "*/{n} * * * *"),
        (r"every hour", "0 * * * *"),
        (r"every (?P<n>[0-9]+) (?:hours?|hrs?)", "0 */{n} * * *"),
        (rf"(?:every day|daily) at {_TIME}", "{minute} {hour} * * *"),
        (rf"every weekdays? at {_TIME}", "{minute} {hour} * * 1-5"),
        (rf"every weekends? at {_TIME}", "{minute} {hour} * * 0,6"),
        (
            rf"every (?P<days>{_DAY_WORD}(?:(?:, ?| and | ?& ?){_DAY_WORD})*) at {_TIME}",
            "{minute} {hour} * * {days}",
        ),
        (r"every hour from (?P<first>.+) to (?P<last>.+)", "0 {first}-{last} * * *"),
        (r"business hours", "0 9-17 * * 1-5"),
        (
            rf"every month on (?:the )?(?:day )?(?P<dom>[0-9]+)(?:st|nd|rd|th)? at {_TIME}",
            "{minute} {hour} {dom} * *",
        ),
    )
)


def to_cron(spec: str) -> str | None:
    """The cron form of a SET SCHEDULE spec (§9.6), or None when it is not a valid spec.

    A valid 5- or 6-field cron is returned as given (trimmed); phrases are matched ignoring
    case and extra spaces.
    """
    spec = spec.strip()
    if is_valid_cron(spec):
        return spec
    phrase = " ".join(spec.lower().split())
    for pattern, template in _PHRASES:
        match = pattern.fullmatch(phrase)
        if match:
            parts = _phrase_parts(match.groupdict())
            cron = template.format(**parts) if parts is not None else None
            return cron if cron is not None and is_valid_cron(cron) else None
    return None


def _phrase_parts(groups: dict[str, str]) -> dict[str, str] | None:
    """The template values of a matched phrase; None when a time or day is not valid."""
    parts = {key: str(int(value)) if _is_number(value) else value for key, value in groups.items()}
    if "time" in groups:
        clock = _clock(groups["time"])
        if clock is None:
            return None
        parts["hour"], parts["minute"] = str(clock[0]), str(clock[1])
    if "days" in groups:
        names = re.findall(r"[a-z]+", groups["days"].replace(" and ", " "))
        numbers = sorted({_DAY_NUMBERS[name[:3]] for name in names})
        parts["days"] = ",".join(str(n) for n in numbers)
    for key in ("first", "last"):
        if key in groups:
            clock = _clock(groups[key])
            if clock is None or clock[1] != 0:
                return None
            parts[key] = str(clock[0])
    return parts


def _clock(text: str) -> tuple[int, int] | None:
    """A phrase time: any HEAR HOUR form (§5.4), or a bare hour such as ``at 9``."""
    text = text.strip()
    hhmm = parse_time(text + ":00" if _is_number(text) else text)
    return (int(hhmm[:2]), int(hhmm[3:])) if hhmm else None
