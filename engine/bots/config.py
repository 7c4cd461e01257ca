"""``config.csv`` (BASIC.md §13.2): key/value rows split at the first comma.

Keys are case-insensitive and runs of spaces become ``-`` (``Bot Name`` = ``bot-name``);
a value that is empty, ``none``, ``null`` or ``n/a`` counts as unset and falls back to the
``default`` bot's value, and so does a numeric key's value that is not a usable number
(:mod:`engine.bots.config_numbers`). Problems are warnings with ``file:line``, never errors;
only a file that cannot be read at all raises :class:`ConfigError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from engine.bots.config_numbers import problem, rule_for, usable
from engine.bots.errors import ConfigError

_UNSET = frozenset({"", "none", "null", "n/a"})


@dataclass(frozen=True, slots=True)
class ConfigWarning:
    line: int
    message: str

    def render(self, file: str) -> str:
        return f"{file}:{self.line}: warning: {self.message}"


def normalise_key(key: str) -> str:
    return re.sub(r"\s+", "-", key.strip().lower())


def is_unset(value: str | None) -> bool:
    return value is None or value.strip().lower() in _UNSET


def parse_config(text: str) -> tuple[dict[str, str], list[ConfigWarning]]:
    """The rows of a config.csv (later rows win) and the warnings for bad lines."""
    rows: dict[str, str] = {}
    warnings: list[ConfigWarning] = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped == ",":
            continue
        if "," not in stripped:
            warnings.append(ConfigWarning(number, f"line without a comma ignored: {stripped!r}"))
            continue
        key, value = stripped.split(",", 1)
        key = normalise_key(key)
        if number == 1 and key in ("name", "key"):
            continue
        if not key:
            warnings.append(ConfigWarning(number, "line without a key ignored"))
            continue
        rows[key] = _unquote(value.strip())
        bad = None if is_unset(rows[key]) else problem(key, rows[key])
        if bad is not None:
            warnings.append(ConfigWarning(number, bad))
    return rows, warnings


def read_config(path: Path) -> tuple[dict[str, str], list[ConfigWarning]]:
    """:func:`parse_config` of a file. Bytes that are not UTF-8 are replaced (with a warning
    at the first such line); a file that cannot be read raises :class:`ConfigError`."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read {path.name}: {error.strerror or error}") from None
    try:
        return parse_config(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        rows, warnings = parse_config(data.decode("utf-8", errors="replace"))
        line = data[: error.start].count(b"\n") + 1
        warning = ConfigWarning(line, "the file is not UTF-8 text: the bytes that are not "
                                      "were replaced (save it as UTF-8)")
        return rows, [warning, *warnings]


def _usable(key: str, value: str | None) -> str | None:
    """``value`` when set (a numeric key's in canonical form, when usable), else None."""
    if value is None or is_unset(value):
        return None
    rule = rule_for(key)
    return value if rule is None else usable(rule, value)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return value[1:-1].replace('""', '"')
    return value


class BotConfig(Mapping[str, str]):
    """A bot's effective config: its own rows over the ``default`` bot's (§13.2)."""

    def __init__(self, rows: Mapping[str, str], fallback: Mapping[str, str] | None = None,
                 ) -> None:
        self._rows = {normalise_key(k): v for k, v in rows.items()}
        self._fallback = {normalise_key(k): v for k, v in (fallback or {}).items()}

    def __getitem__(self, key: str) -> str:
        name = normalise_key(key)
        value = _usable(name, self._rows.get(name))
        if value is None:
            value = _usable(name, self._fallback.get(name))
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        seen = dict.fromkeys(list(self._rows) + list(self._fallback))
        return iter(k for k in seen if k in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        try:
            self[key]
        except KeyError:
            return False
        return True

    def raw(self) -> dict[str, str]:
        """The bot's own rows, unset values included (``param-*`` rows need them)."""
        return dict(self._rows)
