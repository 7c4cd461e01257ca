"""Config keys (BASIC.md §13.3), keyring secrets (§14.16), the local default (§14.17), the
registry and the provider pool."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from llmfakes import FakeChatModel

from engine.llm.anthropic import AnthropicChatModel
from engine.llm.config import KeyringSecrets, LlmConfig, switcher_prompts
from engine.llm.errors import LlmUnavailable
from engine.llm.factory import LlmProviders, SharedChatModel, guess_provider, provider_for
from engine.llm.openai_compat import OpenAICompatibleChatModel
from engine.llm.provider import ChatModel
from engine.llm.registry import ProviderRegistry, ProviderSettings, default_registry


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class DictSecrets:
    def __init__(self, **values: str) -> None:
        self.values = values

    def get(self, name: str) -> str | None:
        return self.values.get(name)


def test_config_keys_and_defaults() -> None:
    llm = LlmConfig.from_mapping({
        "llm-url": "http://h:1/v1", "llm-model": "m", "llm-temperature": "0.3",
        "max_tokens": "256", "llm-timeout": "n/a", "llm-max-tool-rounds": "2",
        "llm-cache": "true", "llm-cache-threshold": "0.9", "llm-cache-ttl": "bad",
        "model-fast": "small", "history-limit": "10"})
    assert (llm.url, llm.model, llm.temperature, llm.max_tokens) == ("http://h:1/v1", "m", 0.3,
                                                                    256)
    assert (llm.timeout, llm.max_tool_rounds, llm.history_limit) == (60.0, 2, 10)
    assert (llm.cache, llm.cache_threshold, llm.cache_ttl, llm.cache_semantic) == (
        True, 0.9, 3600.0, False)
    assert LlmConfig.from_mapping({"llm-max-tokens": "9", "max_tokens": "7"}).max_tokens == 9
    assert not llm.is_local and LlmConfig.from_mapping({"llm-model": "x"}).is_local


@pytest.mark.parametrize(("choice", "expected"), [
    (None, "main"), ("default", "main"), ("AUTO", "main"), ("fast", "small"),
    ("quality", "main"), ("Code", "coder"), ("gpt-x", "gpt-x")])
def test_use_model_aliases(choice: str | None, expected: str) -> None:
    llm = LlmConfig.from_mapping({"llm-model": "main", "model-fast": "small",
                                  "model-code": "coder", "model-quality": "none"})
    assert llm.model_for(choice) == expected


def test_keyring_secrets(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("hearth", "groq", "sk-123")
    llm = LlmConfig.from_mapping({"llm-key": "keyring:groq"})
    assert llm.secret_key(KeyringSecrets()) == "sk-123"
    assert LlmConfig.from_mapping({"llm-key": "plain"}).secret_key(KeyringSecrets()) == "plain"
    with pytest.raises(LlmUnavailable, match="no secret named 'missing'"):
        LlmConfig.from_mapping({"llm-key": "keyring:missing"}).secret_key(KeyringSecrets())


def test_switcher_prompts() -> None:
    config = {"switcher-short": "Answer in one line.", "switcher-pt": "Reply in Portuguese."}
    assert switcher_prompts(config, ["pt", "unknown", "SHORT"]) == (
        "Reply in Portuguese.", "Answer in one line.")


def test_no_provider_and_no_url_is_the_shared_local_model() -> None:
    local = FakeChatModel()
    provider = provider_for({"llm-model": "ignored"}, DictSecrets(), local)
    assert isinstance(provider, SharedChatModel) and provider.inner is local

    async def close() -> None:
        async with provider:
            pass
    asyncio.run(close())
    assert not local.closed  # closing a bot's provider leaves the shared model open

    chosen: list[str | None] = []

    def by_name(name: str | None) -> ChatModel:
        chosen.append(name)
        return local
    provider_for({"model-fast": "qwen"}, DictSecrets(), by_name, model="fast")
    assert chosen == ["qwen"]


def test_providers_from_config() -> None:
    secrets = DictSecrets(k="sk")
    openai = provider_for({"llm-url": "http://127.0.0.1:9/v1", "llm-model": "m",
                           "llm-key": "keyring:k"}, secrets, FakeChatModel())
    assert isinstance(openai, OpenAICompatibleChatModel) and openai.model == "m"
    assert openai.capabilities.supports_tools
    no_tools = provider_for({"llm-url": "http://h", "llm-native-tools": "false"}, secrets,
                            FakeChatModel())
    assert not no_tools.capabilities.supports_tools and no_tools.model == "default"
    claude = provider_for({"llm-provider": "anthropic", "llm-model": "claude-x"}, secrets,
                          FakeChatModel())
    assert isinstance(claude, AnthropicChatModel) and claude.capabilities.vision
    with pytest.raises(LlmUnavailable, match="llm-model is not set"):
        provider_for({"llm-provider": "anthropic"}, secrets, FakeChatModel())
    with pytest.raises(LlmUnavailable, match="unknown llm-provider 'nope'"):
        provider_for({"llm-provider": "nope"}, secrets, FakeChatModel())
    for provider in (openai, no_tools, claude):
        asyncio.run(provider.aclose())


@pytest.mark.parametrize(("url", "provider"), [
    ("https://api.anthropic.com", "anthropic"), ("http://localhost:11434", "ollama"),
    ("http://localhost:8081", "openai"), ("groq.example/openai/v1", "openai")])
def test_guess_provider(url: str, provider: str) -> None:
    assert guess_provider(url) == provider


def test_a_plugin_registers_like_the_builtins() -> None:
    registry = default_registry()
    made: list[ProviderSettings] = []

    def factory(settings: ProviderSettings) -> ChatModel:
        made.append(settings)
        return FakeChatModel(name=settings.model)
    registry.register("Echo", factory)
    assert "echo" in registry.names() and "openai" in registry.names()
    provider = provider_for({"llm-provider": "echo", "llm-model": "e1", "llm-key": "SECRET"},
                            DictSecrets(), FakeChatModel(), registry=registry)
    assert provider.model == "e1" and made[0].key == "SECRET"
    assert "SECRET" not in repr(made[0])
    assert ProviderRegistry().names() == []


def test_the_pool_reuses_providers_and_closes_them() -> None:
    registry = ProviderRegistry()
    made: list[FakeChatModel] = []

    def factory(settings: ProviderSettings) -> ChatModel:
        made.append(FakeChatModel(name=settings.model))
        return made[-1]
    registry.register("fake", factory)
    config = {"llm-provider": "fake", "llm-model": "a", "model-fast": "b"}

    async def main() -> None:
        async with LlmProviders(DictSecrets(), FakeChatModel(), registry) as pool:
            assert pool.get(config) is pool.get(config)
            assert pool.get(config, "fast").model == "b"
            assert isinstance(pool.get({}), SharedChatModel)
    asyncio.run(main())
    assert len(made) == 2 and all(m.closed for m in made)
