"""What the config editor knows about ``config.csv`` keys (BASIC.md §13.3, §14.16).

:func:`check_config` adds to :func:`engine.bots.config.parse_config`'s warnings (lines it
cannot read) the problems a person wants to hear about while editing: a key Hearth does not
know (with the closest known key), and a secret written in plain text (move it to the
keyring). The known keys are the engine's own table (:mod:`engine.bots.configkeys`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from engine.bots.config import is_unset, normalise_key, parse_config
from engine.bots.configkeys import KEY_FAMILIES, KNOWN_KEYS

KEYRING_PREFIX = "keyring:"
_SECRET_SUFFIXES = ("-key", "-pass", "-token", "-secret", "-password")


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    line: int
    key: str
    message: str
    secret: bool = False  # a plain-text secret that can move to the keyring


def is_known(key: str) -> bool:
    name = normalise_key(key)
    return name in KNOWN_KEYS or any(name.startswith(p) and len(name) > len(p)
                                     for p in KEY_FAMILIES)


def is_secret(key: str) -> bool:
    name = normalise_key(key)
    return name.endswith(_SECRET_SUFFIXES) or name in ("llm-key", "email-pass")


def suggestion(key: str) -> str | None:
    close = difflib.get_close_matches(normalise_key(key), KNOWN_KEYS, n=1, cutoff=0.75)
    return close[0] if close else None


def check_row(line: int, key: str, value: str) -> list[ConfigProblem]:
    problems = []
    name = normalise_key(key)
    if name and not is_known(name):
        near = suggestion(name)
        hint = f" — did you mean “{near}”?" if near else ""
        problems.append(ConfigProblem(line, name, f"“{name}” is not a key Hearth uses{hint}"))
    if is_secret(name) and not is_unset(value) \
            and not value.strip().lower().startswith(KEYRING_PREFIX):
        problems.append(ConfigProblem(line, name, f"“{name}” holds a secret in plain text: "
                                                  "move it to the keyring", secret=True))
    return problems


def check_config(text: str) -> list[ConfigProblem]:
    """Every problem of a config.csv text, in line order."""
    _, warnings = parse_config(text)
    problems = [ConfigProblem(w.line, "", w.message) for w in warnings]
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "," not in stripped:
            continue
        key, value = stripped.split(",", 1)
        if number == 1 and normalise_key(key) in ("name", "key"):
            continue
        problems.extend(check_row(number, key, value.strip()))
    return sorted(problems, key=lambda p: p.line)
