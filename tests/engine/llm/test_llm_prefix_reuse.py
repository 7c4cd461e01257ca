"""Follow-up turns reuse llama.cpp's evaluated prefix (issue 12), on the real SmolLM2: a
session's second and later turns evaluate only what is new (the last answer and the new
question), not the system prompt and history again, also when another session's turn and a
tool decision ran on the same model in between. Counted in evaluated tokens (llama.cpp's
own counter), not timed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from llmfakes import tool
from realmodels import load

from engine.llm.events import TurnEvent
from engine.llm.llamacpp import LlamaCppChatModel
from engine.llm.provider import CompletionRequest, Message
from engine.llm.toolloop import ToolLoop
from engine.llm.turn import ChatTurn, TurnOptions, TurnRequest

RULES = " ".join(f"Rule {i}: branch {i} opens at {7 + i % 4} am and closes at {17 + i % 5} pm."
                 for i in range(30))
OPTIONS = TurnOptions(temperature=0.0, max_tokens=8, idle_timeout=300)
NOTE = tool("save-note", "Save a note for the user", text="The note text")


@pytest.fixture(scope="module")
def smollm2() -> Iterator[LlamaCppChatModel]:
    model = load(n_ctx=4096)
    yield model
    model.close()


class Session:
    def __init__(self, model: LlamaCppChatModel, name: str, system: str) -> None:
        self.model, self.name, self.system = model, name, system
        self.history: list[Message] = []

    def turn(self, message: str) -> int:
        """Run one turn; the prompt tokens llama.cpp evaluated for it."""
        request = TurnRequest("bot", self.name, "u", message, system_parts=(self.system,),
                              history=tuple(self.history), options=OPTIONS)

        async def ignore(event: TurnEvent) -> None:
            pass

        text = asyncio.run(ChatTurn(self.model).run(request, ignore))
        assert text is not None
        self.history += [Message("user", message), Message("assistant", text)]
        return self.model.last_evaluated_tokens


def test_follow_up_turns_evaluate_only_what_is_new(smollm2: LlamaCppChatModel) -> None:
    shop = Session(smollm2, "shop", "You answer questions about our branches. " + RULES)
    prefix = smollm2.count_tokens(shop.system)
    assert prefix > 400

    first = shop.turn("When does branch 3 open?")
    assert first > prefix  # the whole prompt, once

    second = shop.turn("And branch 4?")
    assert second < 60  # the first answer and the new question only

    # Another session and a tool decision use the model in between: the shop's prefix
    # comes back from the RAM cache of prompt states instead of being evaluated again.
    other = Session(smollm2, "pirate", "You are a pirate. " + RULES[:300])
    assert other.turn("Ahoy, who are you?") > 60
    decision = asyncio.run(ToolLoop(smollm2, _NoRun()).decide(_request("note: buy milk")))
    assert decision.tool in ("save-note", "none")
    third = shop.turn("What about branch 10?")
    assert third < 60, (first, second, third)
    assert shop.turn("Thanks. And branch 12?") < 60


class _NoRun:
    async def run(self, name: str, arguments: dict[str, object]) -> str:
        return "ok"


def _request(text: str) -> CompletionRequest:
    return CompletionRequest((Message("user", text),), tools=(NOTE,))
