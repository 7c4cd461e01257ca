"""Providers registered by name, Datasette/``llm`` style: the built-in ones register through
the same :meth:`ProviderRegistry.register` a plugin would use, and are imported lazily."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from engine.llm.errors import LlmUnavailable
from engine.llm.provider import Capabilities, ChatModel


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """Everything a factory needs to build one provider (the key stays out of ``repr``)."""

    provider: str
    model: str
    url: str | None = None
    key: str | None = field(default=None, repr=False)
    endpoint_path: str | None = None
    timeout: float = 60.0
    native_tools: bool | None = None
    context_size: int | None = None


ProviderFactory = Callable[[ProviderSettings], ChatModel]


class ProviderRegistry:
    def __init__(self) -> None:
        self._factories: dict[str, ProviderFactory] = {}

    def register(self, name: str, factory: ProviderFactory) -> None:
        """Make ``factory`` the provider called ``name`` (case-insensitive; last one wins)."""
        self._factories[name.lower()] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def create(self, settings: ProviderSettings) -> ChatModel:
        factory = self._factories.get(settings.provider.lower())
        if factory is None:
            raise LlmUnavailable(f"unknown llm-provider {settings.provider!r} "
                                 f"(known: {', '.join(self.names())})")
        return factory(settings)


def register_builtins(registry: ProviderRegistry) -> None:
    """The providers that ship with Hearth."""
    for name in ("openai", "openai-compatible", "ollama", "lmstudio", "vllm", "groq",
                 "llama-server"):
        registry.register(name, _openai)
    registry.register("anthropic", _anthropic)
    registry.register("llamacpp", _llamacpp)
    registry.register("local", _llamacpp)


def default_registry() -> ProviderRegistry:
    registry = ProviderRegistry()
    register_builtins(registry)
    return registry


DEFAULT_URLS = {"ollama": "http://localhost:11434", "lmstudio": "http://localhost:1234",
                "vllm": "http://localhost:8000", "llama-server": "http://localhost:8080"}
DEFAULT_OPENAI_URL = "http://localhost:8081"  # BASIC.md §13.3 default llm-url
VISION_HINTS = ("vision", "-vl", "llava", "gpt-4o", "gpt-4.1", "gpt-5", "gemma3", "pixtral",
                "claude")


def _openai(settings: ProviderSettings) -> ChatModel:
    from engine.llm.openai_compat import OpenAICompatibleChatModel

    url = settings.url or DEFAULT_URLS.get(settings.provider.lower(), DEFAULT_OPENAI_URL)
    capabilities = Capabilities(
        supports_tools=settings.native_tools is not False, embeddings=True, json_schema=True,
        vision=any(hint in settings.model.lower() for hint in VISION_HINTS),
        max_context=settings.context_size or 8192)
    return OpenAICompatibleChatModel(url, settings.model, key=settings.key,
                                     endpoint_path=settings.endpoint_path,
                                     timeout=settings.timeout, capabilities=capabilities)


def _anthropic(settings: ProviderSettings) -> ChatModel:
    from engine.llm.anthropic import DEFAULT_URL, AnthropicChatModel

    return AnthropicChatModel(settings.model, key=settings.key, url=settings.url or DEFAULT_URL,
                              timeout=settings.timeout)


def _llamacpp(settings: ProviderSettings) -> ChatModel:
    from engine.llm.llamacpp import LlamaCppChatModel

    return LlamaCppChatModel(settings.model, n_ctx=settings.context_size or 4096)
