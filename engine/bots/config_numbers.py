"""The numeric keys of ``config.csv`` (BASIC.md §13.3) and what makes a value usable.

A bot's config is text written by hand; ``nan``, ``inf``, ``1e309``, ``-5`` or ``ten`` in a
numeric key must not reach the code that reads it (``int(float("inf"))`` raises, a negative
timeout hangs). :func:`usable` says whether a value is a finite number in the key's range and
gives its canonical text (an integer key's ``5e3`` reads as ``5000``); :class:`BotConfig`
treats any other value as unset, so the reader gets its default, and :func:`problem` is the
warning the bot's diagnostics show for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from engine.basic.sizes import MIN_DIGITS, MIN_LENGTH


@dataclass(frozen=True, slots=True)
class NumberRule:
    integer: bool
    least: float
    most: float

    def describe(self) -> str:
        bounds = []
        if self.least > -_HUGE:
            bounds.append(f"at least {_shown(self.least)}")
        if self.most < _HUGE:
            bounds.append(f"at most {_shown(self.most)}")
        kind = "a whole number" if self.integer else "a finite number"
        return kind + (" of " + " and ".join(bounds) if bounds else "")


_HUGE: Final = float(2**53)  # integers beyond this are not exact as floats
_YEAR: Final = 365 * 24 * 3600.0  # a longer timeout overflows the OS's timers


def _count(least: float = 0) -> NumberRule:
    return NumberRule(True, least, _HUGE)


def _seconds(least: float = 0) -> NumberRule:
    return NumberRule(False, least, _YEAR)


def _fraction(least: float = 0, most: float = 1) -> NumberRule:
    return NumberRule(False, least, most)


_PORT: Final = NumberRule(True, 1, 65535)

RULES: Final[dict[str, NumberRule]] = {
    "basic-max-steps": _count(1),
    "basic-max-seconds": _seconds(),
    "basic-max-output": _count(),
    "basic-max-depth": _count(1),
    "basic-max-loop": _count(),
    "basic-max-wait": _seconds(),
    "basic-max-string": _count(MIN_LENGTH),
    "basic-max-items": _count(MIN_LENGTH),
    "basic-max-digits": _count(MIN_DIGITS),
    "basic-max-nesting": NumberRule(True, 1, 1000),  # the parser recurses once per level
    "hear-max-attempts": _count(1),
    "hear-timeout-secs": _seconds(),
    "http-timeout": _seconds(),
    "http-max-bytes": _count(),
    "llm-timeout": _seconds(),
    "llm-temperature": NumberRule(False, 0, 2),
    "llm-max-tokens": _count(1),
    "max_tokens": _count(1),
    "llm-max-tool-rounds": _count(),
    "history-limit": _count(),
    "llm-cache-ttl": _seconds(),
    "llm-cache-threshold": _fraction(),
    "embedding-dimensions": _count(1),
    "rag-max-results": _count(1),
    "rag-min-score": NumberRule(False, -_HUGE, _HUGE),
    "rag-dense-weight": NumberRule(False, 0, _HUGE),
    "rag-sparse-weight": NumberRule(False, 0, _HUGE),
    "rag-rrf-k": _count(1),
    "bm25-k1": NumberRule(False, 0, _HUGE),
    "bm25-b": _fraction(),
    "website-max-depth": _count(),
    "website-max-pages": _count(1),
    "email-port": _PORT,
    "email-imap-port": _PORT,
    "kb-timeout": _seconds(0.001),
    "kb-max-document-mb": NumberRule(False, 0.000001, 1e9),
}


def rule_for(key: str) -> NumberRule | None:
    """The rule of a normalised key (``conn-<name>-port`` included), or None."""
    if key.startswith("conn-") and key.endswith("-port"):
        return _PORT
    return RULES.get(key)


def usable(rule: NumberRule, value: str) -> str | None:
    """The canonical text of ``value`` when it satisfies ``rule``, else None."""
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(number) or not rule.least <= number <= rule.most:
        return None
    if rule.integer:
        return str(int(number))
    return value.strip()


def problem(key: str, value: str) -> str | None:
    """The warning for ``key,value`` when ``key`` is numeric and the value is not usable."""
    rule = rule_for(key)
    if rule is None or usable(rule, value) is not None:
        return None
    shown = value.strip()
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    return f"'{key}' needs {rule.describe()}, not '{shown}'; the default is used"


def _shown(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)
