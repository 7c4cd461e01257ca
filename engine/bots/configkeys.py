"""Checking a ``config.csv`` (BASIC.md §13.2, §13.3; docs/basic-compatibility.md K3).

:func:`check_config` returns a warning, with its line, for each line the engine ignores:
bad lines, keys it does not know (with the nearest known key when one is close), and values
of numeric and boolean keys it cannot read. ``param-*`` rows are script variables (§8.3),
``switcher-*`` and ``conn-*`` rows are families of their own: all three are always known.
"""

from __future__ import annotations

import difflib

from engine.bots.config import ConfigWarning, is_unset, normalise_key, parse_config
from engine.bots.config_numbers import rule_for

KNOWN_KEYS = frozenset({
    "bot-name", "bot-description", "welcome-message", "start-dialog", "language", "locale",
    "timezone", "theme-color1", "theme-color2", "theme-logo", "theme-title", "llm-provider",
    "llm-url", "llm-model", "llm-key", "llm-endpoint-path", "llm-temperature",
    "llm-max-tokens", "max_tokens", "llm-timeout", "llm-max-tool-rounds", "model-fast",
    "model-quality", "model-code", "system-prompt", "history-limit", "llm-cache",
    "llm-cache-ttl", "llm-cache-semantic", "llm-cache-threshold", "embedding-url",
    "embedding-model", "embedding-key", "embedding-dimensions", "rag-max-results",
    "rag-min-score", "rag-hybrid-enabled", "rag-dense-weight", "rag-sparse-weight",
    "rag-rrf-k", "bm25-k1", "bm25-b", "website-expires", "website-max-depth",
    "website-max-pages", "hear-max-attempts", "hear-timeout-secs", "basic-strict",
    "basic-max-steps", "basic-max-seconds", "basic-max-output", "basic-max-depth",
    "basic-max-loop", "basic-max-wait", "http-timeout", "http-max-bytes", "http-allow-hosts",
    "email-from", "email-server", "email-port", "email-user", "email-pass",
    "email-imap-server", "email-imap-port", "sms-provider", "twilio-account-sid",
    "twilio-auth-token", "twilio-from-number", "vonage-api-key", "vonage-api-secret",
    "vonage-from", "messagebird-api-key", "messagebird-originator", "sms-custom-url",
    "sms-custom-method", "sms-custom-auth-header", "sms-custom-body-template",
    "whatsapp-api-key", "whatsapp-phone-number-id", "whatsapp-verify-token",
    "whatsapp-business-account-id", "whatsapp-api-version", "telegram-bot-token",
    "teams-app-id", "teams-app-password", "teams-tenant-id", "weather-api-key",
    # read by the engine beyond the §13.3 table
    "basic-max-digits", "basic-max-items", "basic-max-string", "basic-max-nesting",
    "llm-context", "llm-native-tools", "kb-max-document-mb", "webchat-anonymous",
    "kb-timeout", "email-timeout", "kb-answer-mode",
    # channels (docs/channels.md)
    "telegram-token", "telegram-secret", "whatsapp-token", "whatsapp-app-secret",
    "whatsapp-phone-id",
})
KEY_FAMILIES = ("param-", "switcher-", "conn-")
_NUMBERS = frozenset({
    "llm-temperature", "llm-max-tokens", "max_tokens", "llm-timeout", "llm-max-tool-rounds",
    "history-limit", "llm-cache-ttl", "llm-cache-threshold", "embedding-dimensions",
    "rag-max-results", "rag-min-score", "rag-dense-weight", "rag-sparse-weight", "rag-rrf-k",
    "bm25-k1", "bm25-b", "website-max-depth", "website-max-pages", "hear-max-attempts",
    "hear-timeout-secs", "basic-max-steps", "basic-max-seconds", "basic-max-output",
    "basic-max-depth", "basic-max-loop", "basic-max-wait", "http-timeout", "http-max-bytes",
    "email-port", "email-imap-port", "kb-timeout", "email-timeout",
})
_CHOICES = {"kb-answer-mode": ("auto", "generative", "extractive")}
_BOOLEANS = frozenset({"llm-cache", "llm-cache-semantic", "rag-hybrid-enabled",
                       "basic-strict"})


def is_known_key(key: str) -> bool:
    """Whether the engine reads ``key`` (already normalised)."""
    return key in KNOWN_KEYS or key.startswith(KEY_FAMILIES)


def check_config(text: str) -> list[ConfigWarning]:
    """Every problem of a config.csv text, in line order."""
    _, warnings = parse_config(text)
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "," not in stripped:
            continue
        raw_key, value = stripped.split(",", 1)
        key = normalise_key(raw_key)
        if not key or (number == 1 and key in ("name", "key")):
            continue
        problem = _key_problem(key) or _value_problem(key, value.strip().strip('"'))
        if problem is not None:
            warnings.append(ConfigWarning(number, problem))
    return sorted(warnings, key=lambda w: w.line)


def _key_problem(key: str) -> str | None:
    if is_known_key(key):
        return None
    close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.8)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{key}' ignored{hint}"


def _value_problem(key: str, value: str) -> str | None:
    if is_unset(value):
        return None
    if key in _NUMBERS and rule_for(key) is None:  # parse_config checks the others
        try:
            float(value)
        except ValueError:
            return f"'{key}' needs a number, not {value!r}"
    if key in _BOOLEANS and value.lower() not in ("true", "false"):
        return f"'{key}' needs true or false, not {value!r}"
    choices = _CHOICES.get(key)
    if choices and value.strip().lower() not in choices:
        return f"'{key}' needs one of {', '.join(choices)}, not {value!r}"
    return None
