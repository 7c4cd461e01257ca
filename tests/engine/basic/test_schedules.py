"""SET SCHEDULE specs (BASIC.md §9.6): phrases, cron validation, the next run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.basic.errors import BasicValueError
from engine.basic.schedules import is_valid_cron, next_fire, to_cron

# --- phrases -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "cron"),
    [
        # the §9.6 table
        ("every minute", "* * * * *"),
        ("every 5 minutes", "*/5 * * * *"),
        ("every hour", "0 * * * *"),
        ("every 2 hours", "0 */2 * * *"),
        ("every day at 9am", "0 9 * * *"),
        ("daily at 09:30", "30 9 * * *"),
        ("every weekday at 8:30", "30 8 * * 1-5"),
        ("every weekend at 10am", "0 10 * * 0,6"),
        ("every monday at 9am", "0 9 * * 1"),
        ("every hour from 9 to 17", "0 9-17 * * *"),
        ("business hours", "0 9-17 * * 1-5"),
        ("every month on day 1 at 8am", "0 8 1 * *"),
        # variations
        ("Every Minute", "* * * * *"),
        ("  every   15  minutes ", "*/15 * * * *"),
        ("every 1 minute", "*/1 * * * *"),
        ("every 10 min", "*/10 * * * *"),
        ("every 30 mins", "*/30 * * * *"),
        ("every 60 minutes", "*/60 * * * *"),
        ("every 1 hour", "0 */1 * * *"),
        ("every 6 hrs", "0 */6 * * *"),
        ("every 05 minutes", "*/5 * * * *"),
        ("EVERY DAY AT 9AM", "0 9 * * *"),
        ("every day at 21:15", "15 21 * * *"),
        ("every day at 9", "0 9 * * *"),
        ("daily at 9pm", "0 21 * * *"),
        ("daily at 12am", "0 0 * * *"),
        ("daily at 14h30", "30 14 * * *"),
        ("every weekdays at 7am", "0 7 * * 1-5"),
        ("every weekend at 9:15 am", "15 9 * * 0,6"),
        ("every sunday at 10am", "0 10 * * 0"),
        ("every tuesday at 9am", "0 9 * * 2"),
        ("every wednesday at 9am", "0 9 * * 3"),
        ("every thursday at 9am", "0 9 * * 4"),
        ("every friday at 5:30 pm", "30 17 * * 5"),
        ("every saturday at 11:00", "0 11 * * 6"),
        ("every Mondays at 9am", "0 9 * * 1"),
        ("every mon at 9am", "0 9 * * 1"),
        ("every mon, wed and fri at 7", "0 7 * * 1,3,5"),
        ("every friday and monday at 8am", "0 8 * * 1,5"),
        ("every tue & thu at 18:00", "0 18 * * 2,4"),
        ("every hour from 9am to 5pm", "0 9-17 * * *"),
        ("every hour from 8 to 8", "0 8-8 * * *"),
        ("every hour from 0 to 23", "0 0-23 * * *"),
        ("Business Hours", "0 9-17 * * 1-5"),
        ("every month on day 15 at 14:00", "0 14 15 * *"),
        ("every month on the 1st at 8am", "0 8 1 * *"),
        ("every month on day 31 at 23:59", "59 23 31 * *"),
    ],
)
def test_phrases(phrase: str, cron: str) -> None:
    assert to_cron(phrase) == cron
    assert is_valid_cron(cron)


@pytest.mark.parametrize(
    "spec",
    [
        "*/5 * * * *",
        "0 9 * * 1-5",
        "30 8 1,15 * *",
        "0 0 1 jan,jul *",
        "0 8 * * MON-FRI",
        "0 */10 * * * *",
        "*/10 30 9 * * *",
        "0 0 ? * 1",
    ],
)
def test_cron_specs_are_returned_as_given(spec: str) -> None:
    assert to_cron(spec) == spec
    assert to_cron(f"  {spec} ") == spec


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "nonsense",
        "every",
        "every 0 minutes",
        "every 90 minutes",
        "every 0 hours",
        "every 25 hours",
        "every day at 25:00",
        "every day at noon",
        "every day",
        "daily",
        "every monday",
        "every funday at 9am",
        "every hour from 17 to 9",
        "every hour from 9:30 to 17",
        "every hour from 9 to 24",
        "every month on day 0 at 8am",
        "every month on day 32 at 8am",
        "every 2 days",
        "0 0 30 2 *",
        "* * * *",
        "* * * * * * *",
    ],
)
def test_invalid_specs(spec: str) -> None:
    assert to_cron(spec) is None


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        "* * * * *",
        "0-59 0-23 1-31 1-12 0-7",
        "*/1 */23 */31 */12 */7",
        "5/15 * * * *",
        "1,2,3-5,10-20/5 * * * *",
        "0 0 29 2 *",
        "0 0 31 1,4 *",
        "0 0 30 2 1",  # the OR rule: every Monday in February
        "0 0 * JAN-mar sun",
        "0 0 ? * ?",
        "59 59 23 31 12 7",
        "\t0  9 *\t* 1 ",
    ],
)
def test_valid_cron(expr: str) -> None:
    assert is_valid_cron(expr)


@pytest.mark.parametrize(
    "expr",
    [
        "",
        "* * * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * 32 * *",
        "* * * 0 *",
        "* * * 13 *",
        "* * * * 8",
        "*/0 * * * *",
        "*/61 * * * *",
        "5-1 * * * *",
        "1,,2 * * * *",
        "-1 * * * *",
        "a * * * *",
        "* * * * mon-sun",  # a range must go upwards: Sunday is 0
        "? * * * *",
        "* ? * * *",
        "0 0 ?/2 * *",
        "1.5 * * * *",
        "0 0 30 2 *",
        "0 0 31 4,6,9,11 *",
        "60 * * * * *",
        "* * * * * * *",
        "@daily",
        "¹ * * * *",
    ],
)
def test_invalid_cron(expr: str) -> None:
    assert not is_valid_cron(expr)


# --- next_fire: examples -------------------------------------------------------------------

T = dt.datetime


@pytest.mark.parametrize(
    ("cron", "after", "expected"),
    [
        ("*/15 * * * *", T(2026, 1, 15, 10, 7, 30), T(2026, 1, 15, 10, 15)),
        ("*/15 * * * *", T(2026, 1, 15, 10, 15), T(2026, 1, 15, 10, 30)),  # strictly after
        ("*/15 * * * *", T(2026, 1, 15, 10, 14, 59, 999), T(2026, 1, 15, 10, 15)),
        ("* * * * *", T(2026, 1, 15, 23, 59, 30), T(2026, 1, 16, 0, 0)),
        ("0 * * * *", T(2026, 1, 15, 10, 30), T(2026, 1, 15, 11, 0)),
        ("0 9 * * *", T(2026, 1, 15, 10, 30), T(2026, 1, 16, 9, 0)),
        ("30 8 * * 1-5", T(2026, 1, 16, 10, 0), T(2026, 1, 19, 8, 30)),  # Friday → Monday
        ("0 10 * * 0,6", T(2026, 1, 15, 10, 30), T(2026, 1, 17, 10, 0)),
        ("0 9 * * 7", T(2026, 1, 15), T(2026, 1, 18, 9, 0)),  # 7 is Sunday
        ("0 9 * * sun", T(2026, 1, 15), T(2026, 1, 18, 9, 0)),
        ("0 8 * * MON-FRI", T(2026, 1, 17), T(2026, 1, 19, 8, 0)),
        ("0 9-17 * * 1-5", T(2026, 1, 15, 17, 0), T(2026, 1, 16, 9, 0)),
        ("0 9-17 * * 1-5", T(2026, 1, 15, 16, 59), T(2026, 1, 15, 17, 0)),
        ("0 8 1 * *", T(2026, 1, 15, 10, 30), T(2026, 2, 1, 8, 0)),
        ("0 0 1 jan,jul *", T(2026, 1, 15), T(2026, 7, 1)),
        ("59 23 31 12 *", T(2026, 12, 31, 23, 59), T(2027, 12, 31, 23, 59)),
        ("0 0 31 * *", T(2026, 1, 31, 0, 0), T(2026, 3, 31)),  # skips February
        ("0 0 29 2 *", T(2026, 3, 1), T(2028, 2, 29)),
        ("0 0 29 2 *", T(2096, 3, 1), T(2104, 2, 29)),  # 2100 is not a leap year
        ("0 0 13 * 5", T(2026, 1, 1), T(2026, 1, 2)),  # OR rule: a Friday comes first
        ("0 0 13 * 5", T(2026, 1, 9), T(2026, 1, 13)),  # OR rule: the 13th (a Tuesday)
        ("0 0 */2 * 5", T(2026, 1, 1), T(2026, 1, 9)),  # "*…" is not restricted: AND
        ("0 0 1-31/2 * 5", T(2026, 1, 1), T(2026, 1, 2)),  # restricted: OR, Friday the 2nd
        ("0 0 30 2 1", T(2026, 1, 15), T(2026, 2, 2)),  # OR: February Mondays
        ("*/10 30 9 * * *", T(2026, 1, 15, 9, 29), T(2026, 1, 15, 9, 30)),  # 6 fields
        ("*/10 30 9 * * *", T(2026, 1, 15, 9, 30, 10), T(2026, 1, 16, 9, 30)),  # once a minute
        ("0 0 ? * 1", T(2026, 1, 15), T(2026, 1, 19)),
        ("5/20 * * * *", T(2026, 1, 15, 10, 46), T(2026, 1, 15, 11, 5)),
    ],
)
def test_next_fire_examples(cron: str, after: dt.datetime, expected: dt.datetime) -> None:
    assert next_fire(cron, after) == expected


def test_next_fire_keeps_tzinfo() -> None:
    zone = dt.timezone(dt.timedelta(hours=-3))
    result = next_fire("0 9 * * *", T(2026, 1, 15, 10, 0, tzinfo=zone))
    assert result == T(2026, 1, 16, 9, 0, tzinfo=zone)
    assert result.tzinfo is zone


@pytest.mark.parametrize("cron", ["nonsense", "0 0 30 2 *", "61 * * * *"])
def test_next_fire_rejects_invalid_specs(cron: str) -> None:
    with pytest.raises(BasicValueError):
        next_fire(cron, T(2026, 1, 15))


def test_phrase_schedules_fire_as_described() -> None:
    clock = T(2026, 1, 15, 10, 30)  # a Thursday
    weekday = to_cron("every weekday at 8:30")
    assert weekday is not None
    assert next_fire(weekday, clock) == T(2026, 1, 16, 8, 30)
    business = to_cron("business hours")
    assert business is not None
    assert next_fire(business, T(2026, 1, 16, 17, 0)) == T(2026, 1, 19, 9, 0)


# --- next_fire: property tests against an independent matcher ------------------------------


@dataclass(frozen=True)
class Field:
    text: str
    values: frozenset[int]


MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def _name(value: int, low: int, names: list[str] | None, use_name: bool) -> str:
    if names is None or not use_name or value - low >= len(names):
        return str(value)
    return names[value - low].upper() if value % 2 else names[value - low]


@st.composite
def element(draw: st.DrawFn, low: int, high: int, names: list[str] | None) -> Field:
    kind = draw(st.sampled_from(["star", "step", "value", "range", "range-step", "start-step"]))
    use_name = draw(st.booleans())
    a = draw(st.integers(low, high))
    b = draw(st.integers(a, high))
    step = draw(st.integers(1, high - low + 1))
    if kind == "star":
        return Field("*", frozenset(range(low, high + 1)))
    if kind == "step":
        return Field(f"*/{step}", frozenset(range(low, high + 1, step)))
    if kind == "value":
        return Field(_name(a, low, names, use_name), frozenset({a}))
    first, last = _name(a, low, names, use_name), _name(b, low, names, use_name)
    if kind == "range":
        return Field(f"{first}-{last}", frozenset(range(a, b + 1)))
    if kind == "range-step":
        return Field(f"{first}-{last}/{step}", frozenset(range(a, b + 1, step)))
    return Field(f"{first}/{step}", frozenset(range(a, high + 1, step)))


@st.composite
def field(draw: st.DrawFn, low: int, high: int, names: list[str] | None = None) -> Field:
    parts = draw(st.lists(element(low, high, names), min_size=1, max_size=3))
    values = frozenset().union(*(p.values for p in parts))
    return Field(",".join(p.text for p in parts), values)


@dataclass(frozen=True)
class Spec:
    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    either_day: bool

    def matches_day(self, day: dt.date) -> bool:
        by_day = day.day in self.days
        by_weekday = day.isoweekday() % 7 in self.weekdays
        day_ok = (by_day or by_weekday) if self.either_day else (by_day and by_weekday)
        return day.month in self.months and day_ok

    def matches(self, moment: dt.datetime) -> bool:
        in_time = moment.minute in self.minutes and moment.hour in self.hours
        return in_time and self.matches_day(moment.date())


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    minute, hour = draw(field(0, 59)), draw(field(0, 23))
    day, month = draw(field(1, 31)), draw(field(1, 12, MONTH_NAMES))
    weekday = draw(field(0, 7, DAY_NAMES))
    text = f"{minute.text} {hour.text} {day.text} {month.text} {weekday.text}"
    if draw(st.booleans()):
        text = f"{draw(field(0, 59)).text} {text}"
    return Spec(
        text=text,
        minutes=minute.values,
        hours=hour.values,
        days=day.values,
        months=month.values,
        weekdays=frozenset(d % 7 for d in weekday.values),
        either_day=not day.text.startswith("*") and not weekday.text.startswith("*"),
    )


def _first_match_by_days(spec: Spec, after: dt.datetime) -> dt.datetime | None:
    """Brute force over days (and all times of a matching day), up to 10 years ahead."""
    start = after.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    times = sorted(dt.time(h, m) for h in spec.hours for m in spec.minutes)
    for offset in range(3700):
        day = start.date() + dt.timedelta(days=offset)
        if not spec.matches_day(day):
            continue
        for time in times:
            moment = dt.datetime.combine(day, time)
            if moment >= start:
                return moment
    return None


AFTER = st.datetimes(min_value=T(2000, 1, 1), max_value=T(2090, 12, 31))


@settings(max_examples=300, deadline=None)
@given(specs(), AFTER)
def test_next_fire_is_the_first_matching_minute(spec: Spec, after: dt.datetime) -> None:
    expected = _first_match_by_days(spec, after)
    if expected is None:
        if is_valid_cron(spec.text):  # it fires, later than the brute force looks
            fire = next_fire(spec.text, after)
            assert fire > after + dt.timedelta(days=3699)
            assert spec.matches(fire)
        return
    assert is_valid_cron(spec.text)
    assert next_fire(spec.text, after) == expected


@settings(max_examples=100, deadline=None)
@given(specs(), AFTER)
def test_no_matching_minute_is_skipped_in_the_next_two_days(spec: Spec, after: dt.datetime) -> None:
    if not is_valid_cron(spec.text):
        return
    result = next_fire(spec.text, after)
    assert result > after and result.second == 0 and result.microsecond == 0
    assert spec.matches(result)
    moment = after.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    while moment < min(result, after + dt.timedelta(days=2)):
        assert not spec.matches(moment)
        moment += dt.timedelta(minutes=1)


@settings(max_examples=100, deadline=None)
@given(specs(), AFTER)
def test_next_fire_chains_strictly_upwards(spec: Spec, after: dt.datetime) -> None:
    if not is_valid_cron(spec.text):
        return
    first = next_fire(spec.text, after)
    second = next_fire(spec.text, first)
    assert second > first
    assert spec.matches(second)
