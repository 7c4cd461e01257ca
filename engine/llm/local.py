"""The application's local chat models: opened on first use, shared by every bot.

A bot with neither ``llm-provider`` nor ``llm-url`` answers with the local model chosen in
the settings (BASIC.md §14.17); ``USE MODEL`` may name another installed chat model of the
catalog. Nothing is downloaded here: a model that is not installed is reported with the
command that installs it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from engine.llm.errors import LlmUnavailable
from engine.llm.llamacpp import LlamaCppChatModel
from engine.llm.models import ModelCatalog, ModelError, ModelManager
from engine.llm.provider import ChatModel


class LocalModels:
    def __init__(self, models_dir: Path | None, default: str) -> None:
        self.models_dir = models_dir
        self.default = default
        self._open: dict[str, LlamaCppChatModel] = {}
        self._lock = threading.Lock()

    def _name(self, requested: str | None) -> str:
        catalog = ModelCatalog.load() if self.models_dir is None else ModelManager(
            self.models_dir).catalog  # the user's own models too
        if requested and requested in catalog.names and catalog.get(requested).role == "chat":
            return requested
        return self.default

    def model(self, requested: str | None = None) -> ChatModel:
        """The open local model for a USE MODEL choice (None or unknown: the default)."""
        if self.models_dir is None:
            raise LlmUnavailable("no local model folder is configured")
        name = self._name(requested)
        with self._lock:
            if name not in self._open:
                try:
                    path = ModelManager(self.models_dir).path(name)
                except ModelError as error:
                    raise LlmUnavailable(error.message) from None
                self._open[name] = LlamaCppChatModel(path, name=name)
            return self._open[name]

    async def unload(self, name: str) -> None:
        """Free the memory of the open model ``name`` (reloaded if it is asked for again):
        switching the default should not keep two models in memory."""
        with self._lock:
            model = self._open.get(name)
        if model is not None:
            await model.unload()

    async def aclose(self) -> None:
        with self._lock:
            models, self._open = list(self._open.values()), {}
        for model in models:
            await model.aclose()
