"""HEAR validation (BASIC.md §5.3, §5.4, §14.11), including every conformance answer."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.basic.validators import (
    MENU_REPROMPT,
    Attachment,
    Validation,
    canonical_type,
    match_menu,
    parse_boolean,
    parse_date,
    parse_datetime,
    parse_time,
    reprompt,
    round_money,
    validate,
)

TODAY = dt.date(2026, 1, 15)  # the conformance clock, a Thursday


def ok(type_name: str, text: str) -> object:
    result = validate(type_name, text, TODAY)
    assert result.ok, f"{type_name} rejected {text!r}"
    return result.value


def rejected(type_name: str, text: str) -> bool:
    return validate(type_name, text, TODAY) == Validation(False, None)


# --- type names ----------------------------------------------------------------------------

ALIASES = {
    "TEXT": ["TEXT", "STRING", "ANY"],
    "EMAIL": ["EMAIL"],
    "INTEGER": ["INTEGER", "INT", "NUMBER"],
    "FLOAT": ["FLOAT", "DECIMAL", "DOUBLE"],
    "BOOLEAN": ["BOOLEAN", "BOOL"],
    "DATE": ["DATE"],
    "HOUR": ["HOUR", "TIME"],
    "MONEY": ["MONEY", "CURRENCY", "AMOUNT"],
    "MOBILE": ["MOBILE", "PHONE"],
    "NAME": ["NAME"],
    "ZIPCODE": ["ZIPCODE", "ZIP", "CEP", "POSTALCODE"],
    "LANGUAGE": ["LANGUAGE", "LANG"],
    "CPF": ["CPF"],
    "CNPJ": ["CNPJ"],
    "URL": ["URL", "LINK"],
    "UUID": ["UUID", "GUID"],
    "COLOR": ["COLOR"],
    "CREDITCARD": ["CREDITCARD", "CARD"],
    "PASSWORD": ["PASSWORD"],
    "FILE": ["FILE"],
    "DOCUMENT": ["DOCUMENT", "DOC", "PDF"],
    "IMAGE": ["IMAGE", "PHOTO"],
    "AUDIO": ["AUDIO", "VOICE"],
    "VIDEO": ["VIDEO"],
    "QRCODE": ["QRCODE"],
}


@pytest.mark.parametrize(
    ("alias", "canonical"), [(a, c) for c, aliases in ALIASES.items() for a in aliases]
)
def test_canonical_type_knows_every_alias_in_any_case(alias: str, canonical: str) -> None:
    assert canonical_type(alias) == canonical
    assert canonical_type(alias.lower()) == canonical
    assert canonical_type(alias.title()) == canonical


@pytest.mark.parametrize("name", ["LOGIN", "AUTH", "login", "DATETIME", "sizes", ""])
def test_unknown_types_are_none(name: str) -> None:
    assert canonical_type(name) is None


REPROMPTS = {
    "EMAIL": "Please enter a valid email address.",
    "INTEGER": "Please enter a valid whole number.",
    "FLOAT": "Please enter a valid number.",
    "BOOLEAN": "Please answer yes or no.",
    "DATE": "Please enter a valid date.",
    "HOUR": "Please enter a valid time.",
    "MONEY": "Please enter a valid amount.",
    "MOBILE": "Please enter a valid phone number.",
    "NAME": "Please enter a valid name.",
    "ZIPCODE": "Please enter a valid postal code.",
    "LANGUAGE": "Please enter a valid language.",
    "CPF": "Please enter a valid CPF.",
    "CNPJ": "Please enter a valid CNPJ.",
    "URL": "Please enter a valid URL.",
    "UUID": "Please enter a valid UUID.",
    "COLOR": "Please enter a valid color.",
    "CREDITCARD": "Please enter a valid card number.",
    "PASSWORD": "Please enter a password with at least 8 characters.",
    "FILE": "Please send a file.",
    "DOCUMENT": "Please send a document.",
    "IMAGE": "Please send an image.",
    "AUDIO": "Please send an audio message.",
    "VIDEO": "Please send a video.",
    "QRCODE": "Please send an image of a QR code.",
}


@pytest.mark.parametrize(
    ("alias", "text"),
    [(a, REPROMPTS[c]) for c, aliases in ALIASES.items() if c in REPROMPTS for a in aliases],
)
def test_reprompt_texts_are_exact(alias: str, text: str) -> None:
    assert reprompt(alias) == text


def test_text_and_unknown_types_have_no_reprompt_and_never_fail() -> None:
    assert reprompt("TEXT") == reprompt("LOGIN") == ""
    assert validate("TEXT", "  anything \n", TODAY) == Validation(True, "anything")
    assert validate("ANY", "", TODAY) == Validation(True, "")
    assert validate("LOGIN", " x ", TODAY) == Validation(True, "x")


def test_menu_reprompt() -> None:
    assert MENU_REPROMPT == "Please choose one of the options."


# --- EMAIL ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Ana.Silva@Example.COM", "ana.silva@example.com"),
        ("ana@x.io", "ana@x.io"),
        ("  bo@example.org ", "bo@example.org"),
        ("a_b%c+d-e@mail-server.example.co.uk", "a_b%c+d-e@mail-server.example.co.uk"),
        ("joão@exemplo.com.br", "joão@exemplo.com.br"),
    ],
)
def test_email_accepts_and_lowercases(text: str, value: str) -> None:
    assert ok("EMAIL", text) == value


@pytest.mark.parametrize(
    "text",
    [
        "not an email",
        "ana@example",
        "ana@example.c",
        "ana@example.c0m",
        "ana silva@example.com",
        "@example.com",
        "ana@@example.com",
        "ana@.com",
        "ana@example..com",
        "ana@exa_mple.com",
        "ana!@example.com",
        "",
    ],
)
def test_email_rejects(text: str) -> None:
    assert rejected("EMAIL", text)


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"), [("-12", -12), ("+7", 7), ("0", 0), (" 42 ", 42), ("007", 7)]
)
def test_integer(text: str, value: int) -> None:
    result = ok("INTEGER", text)
    assert result == value and type(result) is int


def test_integer_is_arbitrary_precision() -> None:
    assert ok("INT", "123456789012345678901234567890") == 123456789012345678901234567890


@pytest.mark.parametrize("text", ["a few", "3.5", "three", "1,000", "1 000", "", "+", "1e3", "٣"])
def test_integer_rejects(text: str) -> None:
    assert rejected("NUMBER", text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("3,5", 3.5), ("10", 10.0), ("-2.25", -2.25), ("+0,5", 0.5), ("1000", 1000.0)],
)
def test_float_reads_comma_as_decimal_point(text: str, value: float) -> None:
    result = ok("FLOAT", text)
    assert result == value and type(result) is float


@pytest.mark.parametrize("text", ["3.", ".5", "1.234,5", "1,2,3", "abc", "", "1e3", "3 ,5"])
def test_float_rejects(text: str) -> None:
    assert rejected("DECIMAL", text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("R$ 1.234,56", 1234.56),
        ("$1,234.5", 1234.5),
        ("1.000", 1000.0),
        ("2,499", 2499.0),
        ("1,5", 1.5),
        ("10", 10.0),
        ("US$ 20.00", 20.0),
        ("€ 3,99", 3.99),
        ("£7", 7.0),
        ("100 EUR", 100.0),
        ("usd 12.5", 12.5),
        ("BRL 1.234.567,89", 1234567.89),
        ("GBP1,234,567.891", 1234567.89),
        ("-R$ 5,00", -5.0),
        ("R$ -5,00", -5.0),
        ("+3", 3.0),
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("1.5", 1.5),
        ("1.50", 1.5),
        ("1.500", 1500.0),
        ("0,125", 125.0),
        ("1.234,567", 1234.57),
        ("2.675", 2675.0),
        ("R$ 0,005", 5.0),
        ("1 234,50", 1234.5),
    ],
)
def test_money_separator_rules(text: str, value: float) -> None:
    result = ok("MONEY", text)
    assert result == value and type(result) is float


@pytest.mark.parametrize(
    "text", ["", "R$", "abc", "1,234.5.6", "1.234,5,6", "1..5", "5.", ",5", "--5", "5-", "1a"]
)
def test_money_rejects(text: str) -> None:
    assert rejected("CURRENCY", text)


def test_round_money_is_half_away_from_zero_on_the_decimal_text() -> None:
    assert round_money(10.456) == 10.46
    assert round_money(2.675) == 2.68  # the binary float is 2.67499…; the text says 2.675
    assert round_money(-2.675) == -2.68
    assert round_money(3.0) == 3.0


# --- BOOLEAN -------------------------------------------------------------------------------

YES = ["yes", "y", "yeah", "yep", "sure", "ok", "okay", "true", "1", "sim", "s", "si", "sí"]
YES += ["oui", "ja", "Yes!", "OK", "SIM.", " sure! "]
NO = ["no", "n", "nope", "false", "0", "não", "nao", "non", "nein", "NÃO", "No.", "nope!"]


@pytest.mark.parametrize("text", YES)
def test_boolean_yes_words(text: str) -> None:
    assert ok("BOOLEAN", text) is True


@pytest.mark.parametrize("text", NO)
def test_boolean_no_words(text: str) -> None:
    assert ok("BOOL", text) is False


@pytest.mark.parametrize("text", ["maybe", "", "yes please", "2", "!", "si no"])
def test_boolean_rejects(text: str) -> None:
    assert rejected("BOOLEAN", text)
    assert parse_boolean(text) is None


def test_boolean_accepts_decomposed_accents() -> None:
    assert parse_boolean("na\u0303o") is False


# --- DATE ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2026-01-15", dt.date(2026, 1, 15)),
        ("2026/01/15", dt.date(2026, 1, 15)),
        ("2026-1-5", dt.date(2026, 1, 5)),
        ("31/01/2026", dt.date(2026, 1, 31)),
        ("31-01-2026", dt.date(2026, 1, 31)),
        ("31.01.2026", dt.date(2026, 1, 31)),
        ("05/01/2026", dt.date(2026, 1, 5)),  # day first
        ("12/11/2026", dt.date(2026, 11, 12)),  # both ≤ 12: still day first
        ("12/31/2026", dt.date(2026, 12, 31)),  # the month-first exception
        ("1/13/2026", dt.date(2026, 1, 13)),
        ("15/01/26", dt.date(2026, 1, 15)),  # 2-digit years mean 20yy
        ("1.2.99", dt.date(2099, 2, 1)),
        ("29/02/2024", dt.date(2024, 2, 29)),
        ("15 Jan 2026", dt.date(2026, 1, 15)),
        ("Jan 15, 2026", dt.date(2026, 1, 15)),
        ("January 15 2026", dt.date(2026, 1, 15)),
        ("Jan 5, 2026", dt.date(2026, 1, 5)),
        ("15 january 2026", dt.date(2026, 1, 15)),
        ("15 JAN 26", dt.date(2026, 1, 15)),
        ("3 Sep 2026", dt.date(2026, 9, 3)),
        ("December 25, 2026", dt.date(2026, 12, 25)),
        ("today", TODAY),
        ("hoje", TODAY),
        ("HOY", TODAY),
        ("tomorrow", dt.date(2026, 1, 16)),
        ("amanhã", dt.date(2026, 1, 16)),
        ("amanha", dt.date(2026, 1, 16)),
        ("mañana", dt.date(2026, 1, 16)),
        ("Yesterday", dt.date(2026, 1, 14)),
        ("ontem", dt.date(2026, 1, 14)),
        ("ayer", dt.date(2026, 1, 14)),
    ],
)
def test_date_formats(text: str, value: dt.date) -> None:
    assert ok("DATE", text) == value
    assert parse_date(text, TODAY) == value


@pytest.mark.parametrize(
    "text",
    [
        "30/02/2026",
        "2026-02-30",
        "29/02/2026",
        "13/13/2026",
        "32/01/2026",
        "00/01/2026",
        "2026-13-01",
        "31/04/2026",
        "15/01/2026 10:00",
        "15/01-2026",
        "2026-01/15",
        "15 Foo 2026",
        "Jan 2026",
        "15 Jan",
        "next week",
        "",
        "15012026",
    ],
)
def test_date_rejects(text: str) -> None:
    assert rejected("DATE", text)


def test_relative_dates_follow_the_clock() -> None:
    assert parse_date("tomorrow", dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert parse_date("yesterday", dt.date(2024, 3, 1)) == dt.date(2024, 2, 29)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_iso_and_day_first_round_trip(day: dt.date) -> None:
    assert parse_date(day.isoformat(), TODAY) == day
    assert parse_date(day.strftime("%d/%m/%Y"), TODAY) == day
    assert parse_date(day.strftime("%d.%m.%y"), TODAY) == day
    assert parse_date(day.strftime("%b %d, %Y"), TODAY) == day


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2026-01-15 08:00", dt.datetime(2026, 1, 15, 8, 0)),
        ("2026-01-15T08:05:00", dt.datetime(2026, 1, 15, 8, 5)),
        ("2026-01-15 23:59:59", dt.datetime(2026, 1, 15, 23, 59, 59)),
        ("2026-01-15T08:05:07.123456", dt.datetime(2026, 1, 15, 8, 5, 7)),
        (" 2026-1-5 9:30 ", dt.datetime(2026, 1, 5, 9, 30)),
    ],
)
def test_parse_datetime(text: str, value: dt.datetime) -> None:
    assert parse_datetime(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-15",
        "2026-01-15 24:00",
        "2026-02-30 10:00",
        "2026-01-15T10:00:00Z",
        "2026-01-15T10:00:00+01:00",
        "15/01/2026 10:00",
    ],
)
def test_parse_datetime_rejects(text: str) -> None:
    assert parse_datetime(text) is None


# --- HOUR ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("14:30", "14:30"),
        ("9:05", "09:05"),
        ("14:30:15", "14:30"),
        ("14h30", "14:30"),
        ("14h", "14:00"),
        ("2pm", "14:00"),
        ("2 pm", "14:00"),
        ("2:30 pm", "14:30"),
        ("12am", "00:00"),
        ("12pm", "12:00"),
        ("12:30am", "00:30"),
        ("9:30am", "09:30"),  # §14.11
        ("9:30 am", "09:30"),
        ("9.30", "09:30"),
        ("9h30", "09:30"),
        ("21:30", "21:30"),
        ("9pm", "21:00"),
        ("0:00", "00:00"),
        ("23:59", "23:59"),
        ("9 PM", "21:00"),
        ("9p.m.", "21:00"),
        ("14H30", "14:30"),
        ("11 a.m.", "11:00"),
    ],
)
def test_hour_forms(text: str, value: str) -> None:
    assert ok("HOUR", text) == value
    assert parse_time(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "25:00",
        "24:00",
        "14:60",
        "14:30:60",
        "9:5",
        "14",
        "0am",
        "13pm",
        "0pm",
        "9.30.15",
        "14h30:15",
        "9:",
        "noon",
        "",
        "2 p",
        "14:30 foo",
    ],
)
def test_hour_rejects(text: str) -> None:
    assert rejected("TIME", text)


@given(st.integers(0, 23), st.integers(0, 59))
def test_every_24h_time_round_trips(hour: int, minute: int) -> None:
    assert parse_time(f"{hour}:{minute:02d}") == f"{hour:02d}:{minute:02d}"
    twelve = hour % 12 or 12
    meridiem = "pm" if hour >= 12 else "am"
    assert parse_time(f"{twelve}:{minute:02d} {meridiem}") == f"{hour:02d}:{minute:02d}"


# --- contact data and identifiers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("+55 (21) 99999-8888", "+5521999998888"),
        ("021 3333-4444", "02133334444"),
        ("555.123.4567", "5551234567"),
        ("+1 555 123 4567", "+15551234567"),
        ("123456789012345", "123456789012345"),
    ],
)
def test_mobile(text: str, value: str) -> None:
    assert ok("MOBILE", text) == value
    assert ok("PHONE", text) == value


@pytest.mark.parametrize(
    "text", ["12345", "123456789", "1234567890123456", "+55 21 9999x8888", "55+21999998888", ""]
)
def test_mobile_rejects(text: str) -> None:
    assert rejected("PHONE", text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("joão  da silva", "João Da Silva"),
        ("MARIA", "Maria"),
        ("o'brien", "O'Brien"),
        ("mary-jane watson", "Mary-Jane Watson"),
        ("j.r.r. tolkien", "J.R.R. Tolkien"),
        ("McDONALD", "Mcdonald"),
        ("d’ávila", "D’Ávila"),
        ("jo", "Jo"),
        ("jo\u0303ao", "Jõao"),
    ],
)
def test_name_normalisation(text: str, value: str) -> None:
    assert ok("NAME", text) == value


@pytest.mark.parametrize("text", ["a", "", "R2D2", "ana@x", "a.", "--", "ana_maria", "ana!"])
def test_name_rejects(text: str) -> None:
    assert rejected("NAME", text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("01310-100", "01310-100"),
        ("1234  ab", "1234 AB"),
        ("123", "123"),
        ("90210", "90210"),
        ("k1a 0b1", "K1A 0B1"),
    ],
)
def test_zipcode(text: str, value: str) -> None:
    assert ok("ZIPCODE", text) == value
    assert ok("CEP", text) == value


@pytest.mark.parametrize(
    "text", ["12", "ab1", "12345678901", "ABCDE", "123_45", "01310/100", "SW1A 1AA"]
)
def test_zipcode_rejects(text: str) -> None:
    assert rejected("POSTALCODE", text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Português", "pt"),
        ("portugues", "pt"),
        ("pt", "pt"),
        ("pt-BR", "pt"),
        ("PT_br", "pt"),
        ("en", "en"),
        ("English", "en"),
        ("en-US", "en"),
        ("Spanish", "es"),
        ("español", "es"),
        ("French", "fr"),
        ("Français", "fr"),
        ("German", "de"),
        ("Deutsch", "de"),
        ("Italian", "it"),
        ("italiano", "it"),
        ("Dutch", "nl"),
        ("Nederlands", "nl"),
        ("Russian", "ru"),
        ("русский", "ru"),
        ("Chinese", "zh"),
        ("中文", "zh"),
        ("Japanese", "ja"),
        ("日本語", "ja"),
        ("Arabic", "ar"),
        ("العربية", "ar"),
        ("Hindi", "hi"),
        ("हिन्दी", "hi"),
        ("ZH", "zh"),
    ],
)
def test_language(text: str, value: str) -> None:
    assert ok("LANGUAGE", text) == value


@pytest.mark.parametrize("text", ["xx", "Klingon", "sv", "Swedish", "p", "en-USA", ""])
def test_language_rejects(text: str) -> None:
    assert rejected("LANG", text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("529.982.247-25", "52998224725"), ("52998224725", "52998224725")],
)
def test_cpf(text: str, value: str) -> None:
    assert ok("CPF", text) == value


@pytest.mark.parametrize(
    "text",
    [
        "111.111.111-11",
        "000.000.000-00",
        "529.982.247-24",
        "529.982.247-15",
        "5299822472",
        "529 982 247 25",
    ],
)
def test_cpf_rejects(text: str) -> None:
    assert rejected("CPF", text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("11.222.333/0001-81", "11222333000181"), ("11222333000181", "11222333000181")],
)
def test_cnpj(text: str, value: str) -> None:
    assert ok("CNPJ", text) == value


@pytest.mark.parametrize(
    "text", ["11.222.333/0001-82", "11.222.333/0001-71", "1122233300018", "11 222 333 0001 81"]
)
def test_cnpj_rejects(text: str) -> None:
    assert rejected("CNPJ", text)


def _cpf_check_digits(base: str) -> str:
    digits = base
    for weight_start in (10, 11):
        total = sum(int(d) * w for d, w in zip(digits, range(weight_start, 1, -1)))
        digits += str((total * 10) % 11 % 10)
    return digits


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_cpf_check_digits_follow_the_textbook_formula(base: str) -> None:
    full = _cpf_check_digits(base)
    expected = None if len(set(full)) == 1 else full
    assert validate("CPF", full, TODAY).value == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4111-1111-1111-1111", "4111111111111111"),
        ("4111 1111 1111 1111", "4111111111111111"),
        ("378282246310005", "378282246310005"),
        ("4222222222222", "4222222222222"),
    ],
)
def test_creditcard(text: str, value: str) -> None:
    assert ok("CREDITCARD", text) == value
    assert ok("CARD", text) == value


@pytest.mark.parametrize(
    "text", ["4111 1111 1111 1112", "411111111111", "41111111111111111111", "4111.1111.1111.1111"]
)
def test_creditcard_rejects(text: str) -> None:
    assert rejected("CARD", text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("www.example.com/docs", "https://www.example.com/docs"),
        ("https://example.com", "https://example.com"),
        ("http://example.com:8080/a/b?c=d#e", "http://example.com:8080/a/b?c=d#e"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://127.0.0.1/x", "http://127.0.0.1/x"),
        ("HTTPS://Example.COM/Path", "HTTPS://Example.COM/Path"),
        ("WWW.example.org", "https://WWW.example.org"),
        ("https://sub-domain.example.co.uk/", "https://sub-domain.example.co.uk/"),
    ],
)
def test_url(text: str, value: str) -> None:
    assert ok("URL", text) == value
    assert ok("LINK", text) == value


@pytest.mark.parametrize(
    "text",
    [
        "example.com",
        "ftp://example.com",
        "http://example",
        "https://exa mple.com",
        "http://256.1.1.1",
        "https://",
        "www.",
        "http://example.com:123456",
        "http://example.com/a b",
        "mailto:ana@x.io",
    ],
)
def test_url_rejects(text: str) -> None:
    assert rejected("URL", text)


def test_uuid() -> None:
    text = "123E4567-E89B-42D3-A456-426614174000"
    assert ok("UUID", text) == "123e4567-e89b-42d3-a456-426614174000"
    assert ok("GUID", text.lower()) == text.lower()


@pytest.mark.parametrize(
    "text",
    [
        "123e4567e89b42d3a456426614174000",
        "{123e4567-e89b-42d3-a456-426614174000}",
        "123e4567-e89b-42d3-a456-42661417400g",
        "123e4567-e89b-42d3-a456-42661417400",
    ],
)
def test_uuid_rejects(text: str) -> None:
    assert rejected("UUID", text)


COLORS = {
    "black": "#000000",
    "white": "#ffffff",
    "red": "#ff0000",
    "green": "#008000",
    "blue": "#0000ff",
    "yellow": "#ffff00",
    "orange": "#ffa500",
    "purple": "#800080",
    "pink": "#ffc0cb",
    "brown": "#a52a2a",
    "gray": "#808080",
    "grey": "#808080",
    "silver": "#c0c0c0",
    "maroon": "#800000",
    "navy": "#000080",
    "teal": "#008080",
    "olive": "#808000",
    "lime": "#00ff00",
    "aqua": "#00ffff",
    "cyan": "#00ffff",
    "fuchsia": "#ff00ff",
    "magenta": "#ff00ff",
}


@pytest.mark.parametrize(("name", "value"), COLORS.items())
def test_color_names(name: str, value: str) -> None:
    assert ok("COLOR", name) == value
    assert ok("COLOR", name.upper()) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("#ABC", "#aabbcc"), ("#abc", "#aabbcc"), ("#FF8800", "#ff8800"), ("Green", "#008000")],
)
def test_color_hex(text: str, value: str) -> None:
    assert ok("COLOR", text) == value


@pytest.mark.parametrize("text", ["#ab", "#abcd", "#gggggg", "abc", "ff0000", "violet", ""])
def test_color_rejects(text: str) -> None:
    assert rejected("COLOR", text)


def test_password() -> None:
    assert rejected("PASSWORD", "short")
    assert rejected("PASSWORD", "  1234567  ")  # trimmed first
    assert ok("PASSWORD", "longenough") == "longenough"
    assert ok("PASSWORD", "12345678") == "12345678"


# --- files ---------------------------------------------------------------------------------

PDF = Attachment("report.pdf", "uploads/report.pdf", "application/pdf", 1200)
DOCX = Attachment(
    "cv.docx",
    "uploads/cv.docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    10,
)
TXT = Attachment("notes.txt", "uploads/notes.txt", "text/plain", 5)
PNG = Attachment("pic.png", "uploads/pic.png", "image/png", 300)
GENERIC_JPG = Attachment("pic.JPG", "uploads/pic.JPG", "application/octet-stream", 300)
OGG = Attachment("voice.ogg", "uploads/voice.ogg", "audio/ogg", 50)
MP4 = Attachment("clip.mp4", "uploads/clip.mp4", "video/mp4", 9000)
ZIP = Attachment("data.zip", "uploads/data.zip", "application/zip", 7)


def test_attachment_file_map_keeps_key_order() -> None:
    assert PDF.as_map() == {
        "name": "report.pdf",
        "path": "uploads/report.pdf",
        "mime": "application/pdf",
        "size": 1200,
    }
    assert list(PDF.as_map()) == ["name", "path", "mime", "size"]


@pytest.mark.parametrize(
    ("type_name", "attachments", "expected"),
    [
        ("FILE", [ZIP], ZIP),
        ("FILE", [PNG, ZIP], PNG),
        ("DOCUMENT", [PDF], PDF),
        ("DOC", [DOCX], DOCX),
        ("PDF", [TXT], TXT),
        ("DOCUMENT", [PNG, PDF], PDF),
        ("IMAGE", [PNG], PNG),
        ("PHOTO", [GENERIC_JPG], GENERIC_JPG),
        ("IMAGE", [PDF, PNG], PNG),
        ("VIDEO", [MP4], MP4),
        ("AUDIO", [OGG], OGG),
        ("VOICE", [MP4, OGG], OGG),
        ("QRCODE", [PNG], PNG),
    ],
)
def test_file_types_take_the_first_matching_attachment(
    type_name: str, attachments: list[Attachment], expected: Attachment
) -> None:
    assert validate(type_name, "", TODAY, attachments) == Validation(True, expected.as_map())


@pytest.mark.parametrize(
    ("type_name", "attachments"),
    [
        ("FILE", []),
        ("DOCUMENT", [ZIP, PNG]),
        ("IMAGE", [PDF]),
        ("VIDEO", [PNG]),
        ("AUDIO", [MP4]),
        ("QRCODE", [PDF]),
        ("AUDIO", []),
        ("QRCODE", []),
    ],
)
def test_file_types_without_a_matching_attachment_reprompt(
    type_name: str, attachments: list[Attachment]
) -> None:
    assert validate(type_name, "here it is", TODAY, attachments) == Validation(False, None)


def test_text_types_ignore_attachments() -> None:
    assert validate("TEXT", "caption", TODAY, [PNG]) == Validation(True, "caption")


# --- menus ---------------------------------------------------------------------------------

DEPARTMENTS = ["Sales", "Support", "Billing"]
SIZES = ["Small", "Medium", "Large"]


@pytest.mark.parametrize(
    ("options", "answer", "value"),
    [
        (DEPARTMENTS, "marketing", None),
        (DEPARTMENTS, "2", "Support"),
        (DEPARTMENTS, "bill", "Billing"),
        (DEPARTMENTS, "I need sales help", "Sales"),
        (DEPARTMENTS, "sales", "Sales"),
        (DEPARTMENTS, "  SUPPORT ", "Support"),
        (DEPARTMENTS, "1", "Sales"),
        (DEPARTMENTS, "3", "Billing"),
        (DEPARTMENTS, "0", None),
        (DEPARTMENTS, "4", None),
        (DEPARTMENTS, "-1", None),
        (DEPARTMENTS, "2.0", None),
        (DEPARTMENTS, "su", None),  # too short to be a part of an option
        (DEPARTMENTS, "sup", "Support"),
        (DEPARTMENTS, "s", None),
        (DEPARTMENTS, "sales and support", None),  # two options occur in the answer
        (SIZES, "LARGE", "Large"),
        (SIZES, "xl", None),
        (SIZES, "9", None),
        (SIZES, "huge", None),
        (SIZES, "a large one", "Large"),
        (SIZES, "ium", "Medium"),
        (SIZES, "", None),
    ],
)
def test_match_menu(options: list[str], answer: str, value: str | None) -> None:
    assert match_menu(options, answer) == value


def test_menu_equality_beats_numbers_and_substrings() -> None:
    assert match_menu(["10", "2", "1"], "2") == "2"  # equal to an option before "2nd option"
    assert match_menu(["Tea", "Green tea"], "tea") == "Tea"
    assert match_menu(["Red wine", "White wine"], "wine") is None  # ambiguous
    assert match_menu(["A", "B"], "2") == "B"


def test_menu_value_is_the_option_as_written() -> None:
    assert match_menu(["São Paulo", "Rio"], "SÃO PAULO") == "São Paulo"
    assert match_menu(["Opção 1"], "opção") == "Opção 1"


def test_menu_same_option_listed_twice_is_one_option() -> None:
    assert match_menu(["Yes", "Yes", "No"], "yes please") == "Yes"


def test_menu_ignores_empty_options_for_substrings() -> None:
    assert match_menu(["", "Sales"], "sales team") == "Sales"
    assert match_menu(["", "Sales"], "") == ""


def test_menu_ignores_absurdly_long_numbers() -> None:
    assert match_menu(DEPARTMENTS, "9" * 5000) is None


def test_huge_numbers_do_not_crash() -> None:
    assert ok("INTEGER", "9" * 5000) == int("9" * 1000) * 10**4000 + int("9" * 4000)
    assert rejected("FLOAT", "9" * 400)  # beyond the float range
    assert rejected("MONEY", "9" * 400)
