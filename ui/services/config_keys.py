"""What the config editor knows about ``config.csv`` keys (BASIC.md §13.3, §14.16).

:func:`check_config` adds to :func:`engine.bots.config.parse_config`'s warnings (lines it
cannot read) the problems a person wants to hear about while editing: a key Hearth does not
know (with the closest known key), and a secret written in plain text (move it to the
keyring).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from engine.bots.config import is_unset, normalise_key, parse_config

KNOWN_KEYS: tuple[str, ...] = (
    "bot-name", "bot-description", "welcome-message", "start-dialog", "language", "locale",
    "timezone", "theme-color1", "theme-color2", "theme-logo", "theme-title",
    "llm-provider", "llm-url", "llm-model", "llm-key", "llm-endpoint-path", "llm-temperature",
    "llm-max-tokens", "max_tokens", "llm-timeout", "llm-max-tool-rounds", "llm-native-tools",
    "llm-context", "model-fast", "model-quality", "model-code", "system-prompt",
    "history-limit", "llm-cache", "llm-cache-ttl", "llm-cache-semantic",
    "llm-cache-threshold", "embedding-url", "embedding-model", "embedding-key",
    "embedding-dimensions", "rag-max-results", "rag-min-score", "rag-hybrid-enabled",
    "rag-dense-weight", "rag-sparse-weight", "rag-rrf-k", "bm25-k1", "bm25-b",
    "website-expires", "website-max-depth", "website-max-pages", "kb-max-document-mb",
    "kb-answer-mode", "hear-max-attempts",
    "hear-timeout-secs", "basic-strict", "basic-max-steps", "basic-max-seconds",
    "basic-max-output", "basic-max-depth", "basic-max-loop", "basic-max-wait",
    "http-timeout", "http-max-bytes", "http-allow-hosts", "email-from", "email-server",
    "email-port", "email-user", "email-pass", "email-imap-server", "email-imap-port",
    "sms-provider", "twilio-account-sid", "twilio-auth-token", "twilio-from-number",
    "vonage-api-key", "vonage-api-secret", "vonage-from", "messagebird-api-key",
    "messagebird-originator", "sms-custom-url", "sms-custom-method",
    "sms-custom-auth-header", "sms-custom-body-template", "whatsapp-api-key",
    "whatsapp-phone-number-id", "whatsapp-verify-token", "whatsapp-business-account-id",
    "whatsapp-api-version", "telegram-bot-token", "teams-app-id", "teams-app-password",
    "teams-tenant-id", "weather-api-key",
)
PREFIXES: tuple[str, ...] = ("switcher-", "param-", "conn-")
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
                                     for p in PREFIXES)


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
