"""HEAR type validation (BASIC.md §5.3, §5.4, §14.11).

Pure functions: the VM trims nothing itself, gives the user's message to :func:`validate` and
either assigns :attr:`Validation.value` or sends :func:`reprompt`. ``parse_date``,
``parse_datetime`` and ``parse_time`` are shared with ``DATEVALUE`` (§10.4), tool argument
coercion (§11.4) and schedule phrases (§9.6).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from engine.basic.query import Value
from engine.basic.values import parse_numeric

MENU_REPROMPT = "Please choose one of the options."


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that arrived with the user's message; ``path`` is in the bot's drive."""

    name: str
    path: str
    mime: str
    size: int

    def as_map(self) -> dict[str, Value]:
        """The file map a HEAR target receives (§5.3)."""
        return {"name": self.name, "path": self.path, "mime": self.mime, "size": self.size}


@dataclass(frozen=True, slots=True)
class Validation:
    """``ok`` False means "re-prompt"; ``value`` is then None."""

    ok: bool
    value: Value


_INVALID = Validation(False, None)

# canonical name -> (aliases, re-prompt). TEXT never fails, so it has no re-prompt.
_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "TEXT": (("STRING", "ANY"), ""),
    "EMAIL": ((), "Please enter a valid email address."),
    "INTEGER": (("INT", "NUMBER"), "Please enter a valid whole number."),
    "FLOAT": (("DECIMAL", "DOUBLE"), "Please enter a valid number."),
    "BOOLEAN": (("BOOL",), "Please answer yes or no."),
    "DATE": ((), "Please enter a valid date."),
    "HOUR": (("TIME",), "Please enter a valid time."),
    "MONEY": (("CURRENCY", "AMOUNT"), "Please enter a valid amount."),
    "MOBILE": (("PHONE",), "Please enter a valid phone number."),
    "NAME": ((), "Please enter a valid name."),
    "ZIPCODE": (("ZIP", "CEP", "POSTALCODE"), "Please enter a valid postal code."),
    "LANGUAGE": (("LANG",), "Please enter a valid language."),
    "CPF": ((), "Please enter a valid CPF."),
    "CNPJ": ((), "Please enter a valid CNPJ."),
    "URL": (("LINK",), "Please enter a valid URL."),
    "UUID": (("GUID",), "Please enter a valid UUID."),
    "COLOR": ((), "Please enter a valid color."),
    "CREDITCARD": (("CARD",), "Please enter a valid card number."),
    "PASSWORD": ((), "Please enter a password with at least 8 characters."),
    "FILE": ((), "Please send a file."),
    "DOCUMENT": (("DOC", "PDF"), "Please send a document."),
    "IMAGE": (("PHOTO",), "Please send an image."),
    "AUDIO": (("VOICE",), "Please send an audio message."),
    "VIDEO": ((), "Please send a video."),
    "QRCODE": ((), "Please send an image of a QR code."),
}
_CANONICAL = {alias: name for name, (aliases, _) in _TYPES.items() for alias in (name, *aliases)}


def canonical_type(name: str) -> str | None:
    """The canonical upper-case HEAR type for ``name`` or an alias; None when unknown.

    LOGIN and AUTH are unknown on purpose (§5.4 decision): the compiler warns and uses TEXT.
    """
    return _CANONICAL.get(name.strip().upper())


def reprompt(type_name: str) -> str:
    """The ``en`` re-prompt text of a type; ``""`` for TEXT and unknown types (they never fail)."""
    return _TYPES[canonical_type(type_name) or "TEXT"][1]


def validate(
    type_name: str,
    text: str,
    today: dt.date,
    attachments: Sequence[Attachment] = (),
) -> Validation:
    """Validate and normalise one answer to ``HEAR … AS type_name`` (§5.4).

    ``text`` is trimmed first; unknown types behave as TEXT. File-like types take the first
    attachment of a matching kind and give its file map. AUDIO and QRCODE give the file map of
    an audio / image attachment too: the caller (the VM) performs the transcription or QR
    decoding, and re-prompts itself when that finds nothing.
    """
    kind = canonical_type(type_name) or "TEXT"
    if kind in _FILE_KINDS:
        return _validate_file(kind, attachments)
    text = text.strip()
    value = parse_date(text, today) if kind == "DATE" else _TEXT_PARSERS[kind](text)
    return _INVALID if value is None else Validation(True, value)


# --- files -------------------------------------------------------------------------------

# fmt: off
_DOC_EXTENSIONS = frozenset({
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "txt", "csv",
    "md",
})
_IMAGE_EXTENSIONS = frozenset({
    "jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff", "heic", "svg",
})
_AUDIO_EXTENSIONS = frozenset({"mp3", "ogg", "oga", "opus", "wav", "m4a", "aac", "flac", "amr"})
_VIDEO_EXTENSIONS = frozenset({"mp4", "mov", "avi", "mkv", "webm", "m4v", "3gp"})
# fmt: on
_DOC_MIME_PREFIXES = (
    "application/pdf",
    "text/",
    "application/msword",
    "application/rtf",
    "application/vnd.ms-",
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
)


def _extension(attachment: Attachment) -> str:
    return attachment.name.rpartition(".")[2].lower() if "." in attachment.name else ""


def _media_matcher(prefix: str, extensions: frozenset[str]) -> Callable[[Attachment], bool]:
    # The mime type decides; the extension only helps when a channel sends a generic type.
    def matches(attachment: Attachment) -> bool:
        mime = attachment.mime.lower()
        return mime.startswith(prefix) or _extension(attachment) in extensions

    return matches


def _is_document(attachment: Attachment) -> bool:
    mime = attachment.mime.lower()
    return mime.startswith(_DOC_MIME_PREFIXES) or _extension(attachment) in _DOC_EXTENSIONS


_FILE_KINDS: dict[str, Callable[[Attachment], bool]] = {
    "FILE": lambda attachment: True,
    "DOCUMENT": _is_document,
    "IMAGE": _media_matcher("image/", _IMAGE_EXTENSIONS),
    "QRCODE": _media_matcher("image/", _IMAGE_EXTENSIONS),
    "AUDIO": _media_matcher("audio/", _AUDIO_EXTENSIONS),
    "VIDEO": _media_matcher("video/", _VIDEO_EXTENSIONS),
}


def _validate_file(kind: str, attachments: Sequence[Attachment]) -> Validation:
    matches = _FILE_KINDS[kind]
    for attachment in attachments:
        if matches(attachment):
            return Validation(True, attachment.as_map())
    return _INVALID


# --- text types ----------------------------------------------------------------------------
# Each parser returns the normalised value, or None when the text is invalid.

_LETTER = r"[^\W\d_]"
_EMAIL_RE = re.compile(r"(?:[^\W_]|[._%+-])+@(?:(?:[^\W_]|-)+\.)+" + _LETTER + "{2,}")
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
_FLOAT_RE = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for word tables (``Não`` = ``nao``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _parse_text(text: str) -> str:
    return text


def _parse_email(text: str) -> str | None:
    return text.lower() if _EMAIL_RE.fullmatch(text) else None


def _parse_integer(text: str) -> Value:
    # parse_numeric also reads integers longer than Python's int-from-str digit limit.
    return parse_numeric(text) if _INTEGER_RE.fullmatch(text) else None


def _finite(number: float) -> float | None:
    return number if math.isfinite(number) else None


def _parse_float(text: str) -> float | None:
    return _finite(float(text.replace(",", "."))) if _FLOAT_RE.fullmatch(text) else None


# fmt: off
_YES = (
    "yes", "y", "yeah", "yep", "sure", "ok", "okay", "true", "1",
    "sim", "s", "si", "sí", "oui", "ja",
)
_NO = ("no", "n", "nope", "false", "0", "não", "nao", "non", "nein")
# fmt: on
_BOOLEAN_WORDS = {_fold(w): True for w in _YES} | {_fold(w): False for w in _NO}


def parse_boolean(text: str) -> bool | None:
    """The HEAR BOOLEAN words (trailing ``.``/``!`` ignored); None when not one of them."""
    return _BOOLEAN_WORDS.get(_fold(text.strip().rstrip(".!").strip()))


def _parse_password(text: str) -> str | None:
    return text if len(text) >= 8 else None


# --- MONEY ---------------------------------------------------------------------------------

_CURRENCY_MARKS_RE = re.compile(r"R\$|US\$|USD|BRL|EUR|GBP|[$€£\s]", re.IGNORECASE)
_MONEY_RE = re.compile(r"([+-]?)([0-9]+(?:[.,][0-9]+)*)")


def _decimal_separator(digits: str) -> str | None:
    """The separator acting as decimal point (§5.4 MONEY rules), or None if all are grouping."""
    if "." in digits and "," in digits:
        return "." if digits.rfind(".") > digits.rfind(",") else ","
    for sep in ".,":
        if digits.count(sep) == 1 and 1 <= len(digits.rpartition(sep)[2]) <= 2:
            return sep
    return None


def _parse_money(text: str) -> float | None:
    match = _MONEY_RE.fullmatch(_CURRENCY_MARKS_RE.sub("", text))
    if match is None:
        return None
    sign, digits = match.groups()
    decimal = _decimal_separator(digits)
    if decimal is not None and digits.count(decimal) > 1:
        return None
    whole, _, fraction = digits.rpartition(decimal) if decimal else (digits, "", "")
    number = float(sign + whole.replace(".", "").replace(",", "") + "." + (fraction or "0"))
    return round_money(number) if math.isfinite(number) else None


def round_money(number: float) -> float:
    """Round to 2 decimals, half away from zero on the decimal text (``10.455`` → 10.46)."""
    return float(Decimal(repr(number)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# --- identifiers and contact data ----------------------------------------------------------

_PHONE_NOISE_RE = re.compile(r"[\s\-.()]")
_PHONE_RE = re.compile(r"\+?[0-9]{10,15}")
_NAME_RE = re.compile(r"(?:" + _LETTER + r"|[\s'’.-])+")
_ZIP_RE = re.compile(r"(?:[^\W_]|[ -]){3,10}")
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _parse_mobile(text: str) -> str | None:
    compact = _PHONE_NOISE_RE.sub("", text)
    return compact if _PHONE_RE.fullmatch(compact) else None


def _parse_name(text: str) -> str | None:
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if not _NAME_RE.fullmatch(text) or sum(c.isalpha() for c in text) < 2:
        return None
    chars = [
        c.upper() if i == 0 or not text[i - 1].isalpha() else c.lower() for i, c in enumerate(text)
    ]
    return "".join(chars)


def _parse_zipcode(text: str) -> str | None:
    text = " ".join(text.split())
    if not _ZIP_RE.fullmatch(text) or sum(c in "0123456789" for c in text) < 3:
        return None
    return text.upper()


def _parse_uuid(text: str) -> str | None:
    return text.lower() if _UUID_RE.fullmatch(text) else None


def _mod11_digit(digits: str, weights: Sequence[int]) -> int:
    remainder = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return 0 if remainder < 2 else 11 - remainder


def _parse_cpf(text: str) -> str | None:
    digits = re.sub(r"[.\-]", "", text)
    if not re.fullmatch(r"[0-9]{11}", digits) or len(set(digits)) == 1:
        return None
    first = _mod11_digit(digits[:9], range(10, 1, -1))
    second = _mod11_digit(digits[:10], range(11, 1, -1))
    return digits if digits[9:] == f"{first}{second}" else None


_CNPJ_WEIGHTS = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def _parse_cnpj(text: str) -> str | None:
    digits = re.sub(r"[./\-]", "", text)
    if not re.fullmatch(r"[0-9]{14}", digits):
        return None
    first = _mod11_digit(digits[:12], _CNPJ_WEIGHTS[1:])
    second = _mod11_digit(digits[:13], _CNPJ_WEIGHTS)
    return digits if digits[12:] == f"{first}{second}" else None


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _parse_creditcard(text: str) -> str | None:
    digits = re.sub(r"[\s-]", "", text)
    ok = re.fullmatch(r"[0-9]{13,19}", digits) is not None and _luhn_ok(digits)
    return digits if ok else None


# --- URL, colour, language -----------------------------------------------------------------

_LABEL = r"(?:[^\W_]|-)+"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# The last label of a name starts with a letter, so "256.1.1.1" is not read as a host name.
_TOP_LABEL = rf"{_LETTER}(?:[^\W_]|-)*"
_HOST = rf"(?:(?:{_LABEL}\.)+{_TOP_LABEL}|localhost|{_OCTET}(?:\.{_OCTET}){{3}})"
_URL_TAIL = r"(?::[0-9]{1,5})?(?:[/?#]\S*)?"
_URL_RE = re.compile(rf"https?://{_HOST}{_URL_TAIL}", re.IGNORECASE)
_WWW_RE = re.compile(rf"www\.(?:{_LABEL}\.)*{_TOP_LABEL}{_URL_TAIL}", re.IGNORECASE)


def _parse_url(text: str) -> str | None:
    if _URL_RE.fullmatch(text):
        return text
    return "https://" + text if _WWW_RE.fullmatch(text) else None


_COLOR_NAMES = {
    "black": "#000000", "white": "#ffffff", "red": "#ff0000", "green": "#008000",
    "blue": "#0000ff", "yellow": "#ffff00", "orange": "#ffa500", "purple": "#800080",
    "pink": "#ffc0cb", "brown": "#a52a2a", "gray": "#808080", "grey": "#808080",
    "silver": "#c0c0c0", "maroon": "#800000", "navy": "#000080", "teal": "#008080",
    "olive": "#808000", "lime": "#00ff00", "aqua": "#00ffff", "cyan": "#00ffff",
    "fuchsia": "#ff00ff", "magenta": "#ff00ff",
}  # fmt: skip


def _parse_color(text: str) -> str | None:
    lowered = text.lower()
    if re.fullmatch(r"#[0-9a-f]{6}", lowered):
        return lowered
    if re.fullmatch(r"#[0-9a-f]{3}", lowered):
        return "#" + "".join(c * 2 for c in lowered[1:])
    return _COLOR_NAMES.get(lowered)


_LANGUAGE_NAMES = {
    "en": ("English",),
    "pt": ("Portuguese", "Português"),
    "es": ("Spanish", "Español"),
    "fr": ("French", "Français"),
    "de": ("German", "Deutsch"),
    "it": ("Italian", "Italiano"),
    "nl": ("Dutch", "Nederlands"),
    "ru": ("Russian", "Русский"),
    "zh": ("Chinese", "中文", "汉语", "漢語"),
    "ja": ("Japanese", "日本語"),
    "ar": ("Arabic", "العربية"),
    "hi": ("Hindi", "हिन्दी", "हिंदी"),
}
_LANGUAGE_BY_NAME = {_fold(n): code for code, names in _LANGUAGE_NAMES.items() for n in names}
_LANGUAGE_CODE_RE = re.compile(r"([a-z]{2})(?:[-_][a-z]{2})?", re.IGNORECASE)


def _parse_language(text: str) -> str | None:
    match = _LANGUAGE_CODE_RE.fullmatch(text)
    if match and match.group(1).lower() in _LANGUAGE_NAMES:
        return match.group(1).lower()
    return _LANGUAGE_BY_NAME.get(_fold(text))


# --- dates and times -----------------------------------------------------------------------

_RELATIVE_WORDS = {
    0: ("today", "hoje", "hoy"),
    1: ("tomorrow", "amanhã", "amanha", "mañana"),
    -1: ("yesterday", "ontem", "ayer"),
}
_RELATIVE_DAYS = {_fold(word): offset for offset, ws in _RELATIVE_WORDS.items() for word in ws}
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS |= {name[:3]: i for name, i in list(_MONTHS.items())} | {"sept": 9}

_ISO_DATE_RE = re.compile(r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})")
_NUMERIC_DATE_RE = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})")
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY_MONTH_RE = re.compile(
    rf"([0-9]{{1,2}}){_ORDINAL}[\s-]+([a-z]+)\.?,?[\s-]+([0-9]{{4}}|[0-9]{{2}})", re.I
)
_MONTH_DAY_RE = re.compile(
    rf"([a-z]+)\.?\s+([0-9]{{1,2}}){_ORDINAL},?\s+([0-9]{{4}}|[0-9]{{2}})", re.I
)


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _numeric_date(text: str) -> dt.date | None:
    if match := _ISO_DATE_RE.fullmatch(text):
        return _make_date(int(match[1]), int(match[3]), int(match[4]))
    if match := _NUMERIC_DATE_RE.fullmatch(text):
        first, second, year = int(match[1]), int(match[3]), _year(match[4])
        if first <= 12 < second:  # the month-first exception of §5.4
            return _make_date(year, first, second)
        return _make_date(year, second, first)
    return None


def _named_month_date(text: str) -> dt.date | None:
    if match := _DAY_MONTH_RE.fullmatch(text):
        day, month, year = match[1], match[2], match[3]
    elif match := _MONTH_DAY_RE.fullmatch(text):
        month, day, year = match[1], match[2], match[3]
    else:
        return None
    number = _MONTHS.get(month.lower())
    return _make_date(_year(year), number, int(day)) if number else None


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """A date in one of the HEAR DATE formats (§5.4), relative words counted from ``today``."""
    text = text.strip()
    offset = _RELATIVE_DAYS.get(_fold(text))
    if offset is not None:
        return today + dt.timedelta(days=offset)
    return _numeric_date(text) or _named_month_date(text)


_DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?"
)


def parse_datetime(text: str) -> dt.datetime | None:
    """A datetime written ``yyyy-mm-dd HH:MM[:SS]`` or with ``T`` (§10.4); fractions dropped.

    Zone offsets are refused: values are naive local times and the bot's zone is not known here.
    """
    match = _DATETIME_RE.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(p) for p in match.groups(default="0"))
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


_TIME_RE = re.compile(
    r"(?P<hour>[0-9]{1,2})"
    r"(?:(?P<sep>[:.h])(?P<minute>[0-9]{2})?(?::(?P<second>[0-9]{2}))?)?"
    r"\s*(?:(?P<meridiem>[ap])\.?m\.?)?",
    re.IGNORECASE,
)


def _clock_hour(hour: int, meridiem: str | None) -> int | None:
    if meridiem is None:
        return hour if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if meridiem.lower() == "p" else 0)


def _time_shape_ok(match: re.Match[str]) -> bool:
    """A bare number is not a time; ``:``/``.`` need minutes; seconds only after ``:``."""
    sep = (match["sep"] or "").lower()
    if not sep:
        return match["meridiem"] is not None
    if sep != "h" and match["minute"] is None:
        return False
    return match["second"] is None or sep == ":"


def parse_time(text: str) -> str | None:
    """A HEAR HOUR answer (§5.4, §14.11) as ``HH:MM``; seconds are checked, then dropped."""
    match = _TIME_RE.fullmatch(text.strip())
    if match is None or not _time_shape_ok(match):
        return None
    hour = _clock_hour(int(match["hour"]), match["meridiem"])
    minute = int(match["minute"] or 0)
    if hour is None or minute > 59 or int(match["second"] or 0) > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


_TEXT_PARSERS: dict[str, Callable[[str], Value]] = {
    "TEXT": _parse_text,
    "EMAIL": _parse_email,
    "INTEGER": _parse_integer,
    "FLOAT": _parse_float,
    "BOOLEAN": parse_boolean,
    "HOUR": parse_time,
    "MONEY": _parse_money,
    "MOBILE": _parse_mobile,
    "NAME": _parse_name,
    "ZIPCODE": _parse_zipcode,
    "LANGUAGE": _parse_language,
    "CPF": _parse_cpf,
    "CNPJ": _parse_cnpj,
    "URL": _parse_url,
    "UUID": _parse_uuid,
    "COLOR": _parse_color,
    "CREDITCARD": _parse_creditcard,
    "PASSWORD": _parse_password,
}


# --- menus ---------------------------------------------------------------------------------


def match_menu(options: Sequence[str], answer: str) -> str | None:
    """The option an answer picks (§5.3), exactly as written in the menu; None to re-prompt.

    In order: an option equal to the answer ignoring case; a whole number 1..n picking the
    n-th option; the one option that contains the answer (3+ characters) or occurs inside it.
    """
    answer = answer.strip()
    folded = answer.casefold()
    for option in options:
        if option.casefold() == folded:
            return option
    if re.fullmatch(r"[0-9]{1,9}", answer) and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1]
    candidates = {
        option: None
        for option in options
        if option and _overlaps(option.casefold(), folded, long_enough=len(answer) >= 3)
    }
    return next(iter(candidates)) if len(candidates) == 1 else None


def _overlaps(option: str, answer: str, *, long_enough: bool) -> bool:
    return (long_enough and answer in option) or option in answer
