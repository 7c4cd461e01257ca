"""FORMAT (BASIC.md §10.2): number, date and string-mask patterns, with locales.

:func:`format_value` is also what the VM calls for ``FORMAT x AS pattern``. Numbers are
rounded half away from zero on their shortest decimal form, so ``FORMAT(2.345, "0.00")`` is
``2.35`` although the double 2.345 is slightly below it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from engine.basic import values
from engine.basic.builtins.jsonyaml import to_yaml
from engine.basic.builtins.math import exact_decimal, round_decimal
from engine.basic.builtins.registry import FunctionContext, builtin
from engine.basic.errors import BasicValueError
from engine.basic.query import Value
from engine.basic.validators import parse_datetime
from engine.basic.values import Number

_EN_MONTHS = "January February March April May June July August September October November December"
_EN_DAYS = "Sunday Monday Tuesday Wednesday Thursday Friday Saturday"
_MAX_DECIMALS = 100


@dataclass(frozen=True, slots=True)
class Locale:
    """How numbers and dates are written in one language (§10.2)."""

    thousands: str
    decimal: str
    currency_prefix: str
    currency_suffix: str
    months: tuple[str, ...]
    short_months: tuple[str, ...]
    days: tuple[str, ...]  # Sunday first
    short_days: tuple[str, ...]


def _locale(
    thousands: str,
    decimal: str,
    currency: tuple[str, str],
    months: str = _EN_MONTHS,
    short_months: str | None = None,
    days: str = _EN_DAYS,
    short_days: str | None = None,
) -> Locale:
    month_names, day_names = tuple(months.split()), tuple(days.split())
    return Locale(
        thousands,
        decimal,
        *currency,
        month_names,
        tuple(short_months.split()) if short_months else tuple(m[:3] for m in month_names),
        day_names,
        tuple(short_days.split()) if short_days else tuple(d[:3] for d in day_names),
    )


LOCALES: Final[dict[str, Locale]] = {
    "en": _locale(",", ".", ("$", "")),
    "pt": _locale(
        ".",
        ",",
        ("R$ ", ""),
        "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
        "jan fev mar abr mai jun jul ago set out nov dez",
        "domingo segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado",
        "dom seg ter qua qui sex sáb",
    ),
    "es": _locale(
        ".",
        ",",
        ("", " €"),
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "ene feb mar abr may jun jul ago sep oct nov dic",
        "domingo lunes martes miércoles jueves viernes sábado",
        "dom lun mar mié jue vie sáb",
    ),
    "de": _locale(".", ",", ("", " €")),
    "fr": _locale(" ", ",", ("", " €")),
}

_LOCALE_SUFFIX = re.compile(r"\[([A-Za-z]{2})(?:[-_][A-Za-z]{2})?\]\s*$")


def locale_named(code: str) -> Locale:
    """The locale for ``en``, ``pt-BR``, ``es_ES``…; unknown languages write as ``en``."""
    return LOCALES.get(code[:2].lower(), LOCALES["en"])


@builtin("FORMAT", min_args=1, max_args=2)
def format_(ctx: FunctionContext, args: list[Value]) -> Value:
    pattern = args[1] if len(args) > 1 else None
    return format_value(args[0], pattern, ctx.locale)


def format_value(value: Value, pattern: Value, locale: str = "en") -> str:
    """``FORMAT(value, pattern)`` with ``locale`` used when the pattern names none."""
    if value is None:
        return ""
    p = "" if pattern is None else values.text(pattern)
    suffix = _LOCALE_SUFFIX.search(p)
    if suffix is not None:
        p, locale = p[: suffix.start()], suffix.group(1)
    if p == "":
        return values.text(value)
    return _dispatch(value, p, locale_named(locale))


def _dispatch(value: Value, pattern: str, loc: Locale) -> str:
    word = pattern.strip().upper()
    if word == "JSON":
        return values.json_text(value)
    if word == "YAML":
        return to_yaml(value)
    moment = _date_of(value)
    if moment is not None:
        return format_date(moment, pattern, loc)
    if "@" in pattern:
        return apply_mask(values.text(value), pattern)
    number = _number_of(value)
    if number is not None:
        return format_number(number, pattern, loc)
    return apply_mask(values.text(value), pattern)


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def _date_of(value: Value) -> date | None:
    """A date, a datetime, or the one an ISO string names."""
    t = type(value)
    if t is date or t is datetime:
        return value  # type: ignore[no-any-return]
    if t is not str:
        return None
    if match := _ISO_DATE.fullmatch(value.strip()):
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    return parse_datetime(value)


def _number_of(value: Value) -> Number | None:
    t = type(value)
    if t is int or t is float:
        return value  # type: ignore[no-any-return]
    return values.parse_numeric(value) if t is str else None


# --- string masks -----------------------------------------------------------------------------


def apply_mask(text: str, mask: str) -> str:
    """``@`` takes the next character; ``>``/``<`` change the case; the rest is literal."""
    out: list[str] = []
    taken = 0
    case = ""
    for ch in mask:
        if ch == "@":
            out.append(text[taken : taken + 1])
            taken += 1
        elif ch in "<>":
            case = ch
        else:
            out.append(ch)
    result = "".join(out) + text[taken:]
    if case == ">":
        return result.upper()
    return result.lower() if case == "<" else result


# --- numbers ----------------------------------------------------------------------------------

_STANDARD = re.compile(r"\s*([NFCPD])([0-9]*)\s*", re.IGNORECASE)
_NUMBER_RUN = re.compile(r"[0#,.]*[0#][0#,.]*")


def format_number(number: Number, pattern: str, loc: Locale) -> str:
    if type(number) is float and not math.isfinite(number):
        return values.text(number)
    standard = _STANDARD.fullmatch(pattern)
    if standard is not None:
        places = int(standard.group(2)) if standard.group(2) else 2
        if places > _MAX_DECIMALS:
            raise BasicValueError(f"FORMAT allows at most {_MAX_DECIMALS} decimals")
        return _standard(number, standard.group(1).upper(), places, loc)
    run = _NUMBER_RUN.search(pattern)
    if run is None:
        return values.text(number)
    return _custom(number, pattern, run, loc)


@dataclass(frozen=True, slots=True)
class _Digits:
    """A rounded number split for writing: ``negative`` is False when it rounded to zero."""

    negative: bool
    whole: str
    fraction: str

    def joined(self, loc: Locale, grouped: bool) -> str:
        whole = _group(self.whole, loc.thousands) if grouped else self.whole
        return whole + (loc.decimal + self.fraction if self.fraction else "")


def _digits(d: Decimal, places: int) -> _Digits:
    rounded = round_decimal(d, places)
    whole, _, fraction = format(abs(rounded), "f").partition(".")
    return _Digits(rounded < 0, whole, fraction.ljust(places, "0") if places > 0 else "")


def _group(whole: str, separator: str) -> str:
    head = len(whole) % 3 or 3
    groups = [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]
    return separator.join(groups)


def _standard(number: Number, letter: str, places: int, loc: Locale) -> str:
    d = exact_decimal(number)
    if letter == "D":
        digits = _digits(d, 0)
        return ("-" if digits.negative else "") + digits.whole.zfill(places)
    if letter == "P":
        d *= 100
    digits = _digits(d, places)
    sign = "-" if digits.negative else ""
    body = digits.joined(loc, grouped=letter != "F")
    if letter == "C":
        return f"{sign}{loc.currency_prefix}{body}{loc.currency_suffix}"
    return sign + body + ("%" if letter == "P" else "")


def _custom(number: Number, pattern: str, run: re.Match[str], loc: Locale) -> str:
    prefix, suffix = pattern[: run.start()], pattern[run.end() :]
    always_sign = prefix.startswith("+")
    if always_sign:
        prefix = prefix[1:]
    whole_spec, _, fraction_spec = run.group().partition(".")
    max_places = sum(ch in "0#" for ch in fraction_spec)
    min_places = fraction_spec.count("0")
    d = exact_decimal(number) * Decimal(100) ** pattern.count("%")
    digits = _digits(d, max_places)
    fraction = digits.fraction
    while len(fraction) > min_places and fraction.endswith("0"):
        fraction = fraction[:-1]
    whole = digits.whole.zfill(max(whole_spec.count("0"), 1))
    body = _Digits(digits.negative, whole, fraction).joined(loc, grouped="," in whole_spec)
    sign = "-" if digits.negative else ("+" if always_sign else "")
    return sign + prefix + body + suffix


# --- dates ------------------------------------------------------------------------------------

# Longest first, so "MMMM" wins over "MM". Case matters only for M/m and H/h (§10.2).
_DATE_TOKENS: Final = (
    "yyyy", "MMMM", "dddd", "MMM", "ddd", "yy", "MM", "dd", "HH", "hh", "mm", "ss", "tt",
    "M", "d", "H", "h", "m", "s",
)  # fmt: skip
_CASE_SENSITIVE: Final = frozenset("MmHh")


def format_date(moment: date, pattern: str, loc: Locale) -> str:
    """``moment`` written with the date tokens of §10.2; a date counts as midnight."""
    dt = values.as_datetime(moment)
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "'":
            literal, i = _quoted(pattern, i)
            out.append(literal)
            continue
        token = _token_at(pattern, i)
        out.append(_date_field(dt, token, loc) if token else pattern[i])
        i += len(token) or 1
    return "".join(out)


def _quoted(pattern: str, start: int) -> tuple[str, int]:
    """The literal text of a quoted run starting at ``start`` and the index after it.

    Inside quotes ``''`` is one quote; an empty pair ``''`` outside quotes is one quote too.
    """
    out: list[str] = []
    i = start + 1
    while i < len(pattern):
        if pattern[i] == "'":
            if pattern.startswith("''", i) and i > start + 1:
                out.append("'")
                i += 2
                continue
            return ("".join(out) if i > start + 1 else "'"), i + 1
        out.append(pattern[i])
        i += 1
    return "".join(out), i  # an unclosed quote runs to the end


def _token_at(pattern: str, i: int) -> str:
    for token in _DATE_TOKENS:
        piece = pattern[i : i + len(token)]
        if piece == token or (token[0] not in _CASE_SENSITIVE and piece.lower() == token):
            return token
    return ""


def _date_field(dt: datetime, token: str, loc: Locale) -> str:
    return _DATE_FIELDS[token](dt, loc)


def _hour12(dt: datetime) -> int:
    return dt.hour % 12 or 12


_DATE_FIELDS: Final[dict[str, Callable[[datetime, Locale], str]]] = {
    "yyyy": lambda dt, _: f"{dt.year:04d}",
    "yy": lambda dt, _: f"{dt.year % 100:02d}",
    "MMMM": lambda dt, loc: loc.months[dt.month - 1],
    "MMM": lambda dt, loc: loc.short_months[dt.month - 1],
    "MM": lambda dt, _: f"{dt.month:02d}",
    "M": lambda dt, _: str(dt.month),
    "dddd": lambda dt, loc: loc.days[values.weekday(dt) - 1],
    "ddd": lambda dt, loc: loc.short_days[values.weekday(dt) - 1],
    "dd": lambda dt, _: f"{dt.day:02d}",
    "d": lambda dt, _: str(dt.day),
    "HH": lambda dt, _: f"{dt.hour:02d}",
    "H": lambda dt, _: str(dt.hour),
    "hh": lambda dt, _: f"{_hour12(dt):02d}",
    "h": lambda dt, _: str(_hour12(dt)),
    "mm": lambda dt, _: f"{dt.minute:02d}",
    "m": lambda dt, _: str(dt.minute),
    "ss": lambda dt, _: f"{dt.second:02d}",
    "s": lambda dt, _: str(dt.second),
    "tt": lambda dt, _: "AM" if dt.hour < 12 else "PM",
}
