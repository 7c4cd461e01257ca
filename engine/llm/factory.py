"""Choosing a bot's provider from its config (BASIC.md §13.3, §14.16–17).

:func:`provider_for` builds the provider a config names; :class:`LlmProviders` keeps the
ones in use (one per bot config and model) and closes them together. With neither
``llm-provider`` nor ``llm-url`` the answer is the application's local model, shared by every
bot: it comes back wrapped so that closing it as a bot's provider leaves it open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

from engine.llm.config import LlmConfig, SecretStore
from engine.llm.errors import LlmUnavailable
from engine.llm.provider import Capabilities, ChatModel, Completion, CompletionRequest, Delta
from engine.llm.registry import ProviderRegistry, ProviderSettings, default_registry

LocalDefault = ChatModel | Callable[[str | None], ChatModel]
"""The local model (already open), or a function giving the local model for a model name."""


def provider_for(config: Mapping[str, str], secrets: SecretStore, local_default: LocalDefault,
                 *, model: str | None = None,
                 registry: ProviderRegistry | None = None) -> ChatModel:
    """The provider for a bot's config and the session's ``USE MODEL`` choice (``model``)."""
    llm = LlmConfig.from_mapping(config)
    if llm.is_local:
        return SharedChatModel(_local(local_default, llm.model_for(model)))
    return (registry or default_registry()).create(settings_for(llm, secrets, model))


def settings_for(llm: LlmConfig, secrets: SecretStore, model: str | None) -> ProviderSettings:
    provider = llm.provider or guess_provider(llm.url or "")
    name = llm.model_for(model)
    if name is None and provider == "anthropic":
        raise LlmUnavailable("llm-model is not set for the anthropic provider")
    return ProviderSettings(provider=provider, model=name or "default", url=llm.url,
                            key=llm.secret_key(secrets), endpoint_path=llm.endpoint_path,
                            timeout=llm.timeout, native_tools=llm.native_tools,
                            context_size=llm.context_size)


def guess_provider(url: str) -> str:
    """``llm-provider`` when absent: Anthropic by host name, else OpenAI-compatible."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = (parts.hostname or "").lower()
    if "anthropic" in host:
        return "anthropic"
    return "ollama" if parts.port == 11434 else "openai"


def _local(local_default: LocalDefault, model: str | None) -> ChatModel:
    if isinstance(local_default, ChatModel):
        return local_default
    return local_default(model)


class SharedChatModel:
    """A provider owned elsewhere: every call is delegated, closing it does nothing."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner = inner

    @property
    def provider(self) -> str:
        return self.inner.provider

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def capabilities(self) -> Capabilities:
        return self.inner.capabilities

    def stream(self, request: CompletionRequest) -> AsyncIterator[Delta]:
        return self.inner.stream(request)

    async def complete(self, request: CompletionRequest) -> Completion:
        return await self.inner.complete(request)

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return await self.inner.embed(texts)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    async def aclose(self) -> None:
        return None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        return None


class LlmProviders:
    """The providers in use, one per (settings); closed in reverse order by :meth:`aclose`."""

    def __init__(self, secrets: SecretStore, local_default: LocalDefault,
                 registry: ProviderRegistry | None = None) -> None:
        self._secrets = _RememberedSecrets(secrets)
        self._local_default = local_default
        self._registry = registry or default_registry()
        self._open: dict[ProviderSettings, ChatModel] = {}

    def get(self, config: Mapping[str, str], model: str | None = None) -> ChatModel:
        """The provider for a bot's config and model choice, created on first use."""
        llm = LlmConfig.from_mapping(config)
        if llm.is_local:
            return SharedChatModel(_local(self._local_default, llm.model_for(model)))
        settings = settings_for(llm, self._secrets, model)
        if settings not in self._open:
            self._open[settings] = self._registry.create(settings)
        return self._open[settings]

    async def aclose(self) -> None:
        providers, self._open = list(self._open.values()), {}
        for provider in reversed(providers):
            await provider.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.aclose()


class _RememberedSecrets:
    """Reads each secret once: a keyring may be slow, or ask the user to unlock it."""

    def __init__(self, secrets: SecretStore) -> None:
        self._secrets = secrets
        self._known: dict[str, str | None] = {}

    def get(self, name: str) -> str | None:
        if name not in self._known:
            self._known[name] = self._secrets.get(name)
        return self._known[name]
