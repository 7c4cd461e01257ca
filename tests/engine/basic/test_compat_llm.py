"""Keyword phrases that become LLM calls (docs/basic-compatibility.md E1) with a real small
model (SmolLM2 135M through llama.cpp, one thread) behind the engine's LLM keyword service:
the phrase's instruction and the arguments reach the model and its answer is the value."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.basic.vm import VM
from engine.llm.factory import SharedChatModel
from engine.llm.keywords import LlmKeywordService
from engine.llm.llamacpp import LlamaCppChatModel
from tests.engine.basic.conftest import BasicKit
from tests.engine.llm.realmodels import load


@pytest.fixture(scope="module")
def smollm2() -> Iterator[LlamaCppChatModel]:
    model = load()
    yield model
    model.close()


def test_rewrite_and_generate_phrases_answer_with_a_real_model(
        smollm2: LlamaCppChatModel) -> None:
    basic = BasicKit()
    host = basic.host()
    host.llm = LlmKeywordService(lambda _m: SharedChatModel(smollm2), temperature=0.0,  # type: ignore[assignment]
                                 max_tokens=24)
    program = basic.program('polite = REWRITE "give me the report now", "politely"\n'
                            'idea = GENERATE SLOGAN "a bakery"\n'
                            "RETURN [polite, idea]")
    outcome = VM(host).start(program, None)
    assert outcome.error is None, outcome.error
    polite, idea = outcome.result  # type: ignore[misc]
    assert isinstance(polite, str) and polite.strip()
    assert isinstance(idea, str) and idea.strip()
