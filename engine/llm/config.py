"""The LLM keys of a bot's ``config.csv`` (BASIC.md §13.3) as one typed value.

Values that do not parse fall back to the default: config problems are never errors.
Extension keys (documented in docs/llm.md): ``llm-native-tools`` (force or forbid native tool
calling), ``llm-context`` (the context size to assume for an HTTP model).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.llm.errors import LlmUnavailable

_UNSET = frozenset({"", "none", "null", "n/a"})
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
ALIASES = ("fast", "quality", "code")
KEYRING_PREFIX = "keyring:"


class SecretStore(Protocol):
    """Where ``keyring:NAME`` secrets are read from (the OS keyring in the app)."""

    def get(self, name: str) -> str | None: ...


class KeyringSecrets:
    """Secrets from the OS keyring (``keyring`` package), under one service name."""

    def __init__(self, service: str = "hearth") -> None:
        self._service = service

    def get(self, name: str) -> str | None:
        import keyring  # local: the keyring backend is only loaded when a secret is needed

        try:
            return keyring.get_password(self._service, name)
        except Exception as error:  # keyring backends raise their own error types
            raise LlmUnavailable(f"the keyring cannot be read ({type(error).__name__})"
                                 ) from error


@dataclass(frozen=True, slots=True)
class LlmConfig:
    provider: str | None = None
    url: str | None = None
    model: str | None = None
    key: str | None = None
    endpoint_path: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    timeout: float = 60.0
    max_tool_rounds: int = 5
    model_fast: str | None = None
    model_quality: str | None = None
    model_code: str | None = None
    history_limit: int | None = None
    native_tools: bool | None = None
    context_size: int | None = None
    cache: bool = False
    cache_ttl: float = 3600.0
    cache_semantic: bool = False
    cache_threshold: float = 0.95

    @classmethod
    def from_mapping(cls, config: Mapping[str, str]) -> LlmConfig:
        def text(key: str) -> str | None:
            value = config.get(key)
            return None if value is None or value.strip().lower() in _UNSET else value.strip()

        return cls(
            provider=_lower(text("llm-provider")), url=text("llm-url"),
            model=text("llm-model"), key=text("llm-key"),
            endpoint_path=text("llm-endpoint-path"),
            temperature=_number(text("llm-temperature"), None),
            max_tokens=_integer(text("llm-max-tokens") or text("max_tokens"), None),
            timeout=_number(text("llm-timeout"), 60.0) or 60.0,
            max_tool_rounds=_integer(text("llm-max-tool-rounds"), 5) or 0,
            model_fast=text("model-fast"), model_quality=text("model-quality"),
            model_code=text("model-code"),
            history_limit=_integer(text("history-limit"), None),
            native_tools=_flag(text("llm-native-tools"), None),
            context_size=_integer(text("llm-context"), None),
            cache=bool(_flag(text("llm-cache"), False)),
            cache_ttl=_number(text("llm-cache-ttl"), 3600.0) or 3600.0,
            cache_semantic=bool(_flag(text("llm-cache-semantic"), False)),
            cache_threshold=_number(text("llm-cache-threshold"), 0.95) or 0.95)

    @property
    def is_local(self) -> bool:
        """§14.17: no provider and no URL means the in-process local model."""
        return self.provider is None and self.url is None

    def model_for(self, choice: str | None) -> str | None:
        """The model name for a ``USE MODEL`` choice: aliases map to ``model-fast`` etc.,
        ``default``/``auto``/None to ``llm-model``; any other name is used as given."""
        name = (choice or "").strip()
        if name.lower() in ("", "default", "auto"):
            return self.model
        if name.lower() in ALIASES:
            return getattr(self, f"model_{name.lower()}") or self.model
        return name

    def secret_key(self, secrets: SecretStore) -> str | None:
        """``llm-key``, read from the keyring when written as ``keyring:NAME`` (§14.16)."""
        if self.key is None or not self.key.lower().startswith(KEYRING_PREFIX):
            return self.key
        name = self.key[len(KEYRING_PREFIX):].strip()
        value = secrets.get(name)
        if not value:
            raise LlmUnavailable(f"llm-key: no secret named {name!r} in the keyring")
        return value


def switcher_prompts(config: Mapping[str, str], active: Sequence[str]) -> tuple[str, ...]:
    """The ``switcher-<id>`` prompts of the active switchers, in the order given (§5.6)."""
    found = (config.get(f"switcher-{switcher.strip().lower()}") for switcher in active)
    return tuple(p.strip() for p in found if p and p.strip().lower() not in _UNSET)


def _lower(value: str | None) -> str | None:
    return value.lower() if value else None


def _number(value: str | None, default: float | None) -> float | None:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def _integer(value: str | None, default: int | None) -> int | None:
    number = _number(value, None)
    return int(number) if number is not None else default


def _flag(value: str | None, default: bool | None) -> bool | None:
    if value is None:
        return default
    lowered = value.lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else default
