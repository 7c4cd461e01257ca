"""One scripted chat model standing in for the engine's local models, for the server tests
that need an LLM answer."""

from __future__ import annotations

from engine.api import Engine
from tests.engine.llm.llmfakes import FakeChatModel


class OneModel:
    """The engine's ``llm``: every request, whatever model it names, gets ``model``."""

    def __init__(self, model: FakeChatModel) -> None:
        self.default = model.model
        self._model = model

    def model(self, requested: str | None = None) -> FakeChatModel:
        return self._model

    async def aclose(self) -> None:
        return None


def use_model(engine: Engine, model: FakeChatModel) -> None:
    """Make ``model`` answer every LLM turn of ``engine``."""
    engine.llm = OneModel(model)  # type: ignore[assignment]
