"""Generation that ends (issue 12): a looping answer is stopped and says so, on a scripted
model and on the real SmolLM2; every answer has a token cap, BASIC ``LLM`` answers too."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from llmfakes import FakeChatModel
from realmodels import SMOLLM2, load

from engine.llm.cache import SemanticCache
from engine.llm.events import Done, TextDelta, TurnEvent
from engine.llm.keywords import DEFAULT_MAX_TOKENS, LlmKeywordService
from engine.llm.provider import Completion, CompletionRequest
from engine.llm.repetition import STOPPED_NOTE, RepetitionGuard, without_repeats
from engine.llm.turn import DEFAULT_ANSWER_TOKENS, ChatTurn, TurnOptions, TurnRequest


def request(message: str = "hi", **options: object) -> TurnRequest:
    return TurnRequest("bot", "s1", "u1", message,
                       options=TurnOptions(**options))  # type: ignore[arg-type]


def play(turn: ChatTurn, req: TurnRequest) -> tuple[str | None, list[TurnEvent]]:
    events: list[TurnEvent] = []

    async def emit(event: TurnEvent) -> None:
        events.append(event)

    return asyncio.run(turn.run(req, emit)), events


def fed(text: str, guard: RepetitionGuard | None = None) -> RepetitionGuard:
    guard = guard or RepetitionGuard()
    for word in text.split(" "):
        if guard.feed(word + " "):
            break
    return guard


def test_a_sentence_said_three_times_is_a_loop_and_only_its_first_time_is_kept() -> None:
    guard = fed("Paris is the capital. I'm sorry for your loss. I'm sorry for your loss. "
                "I'm sorry for your loss. I'm sorry")
    assert guard.looping
    assert guard.kept() == "Paris is the capital. I'm sorry for your loss."


def test_a_word_or_phrase_repeated_back_to_back_is_a_loop() -> None:
    assert fed("The answer is " + "yes " * 13).kept() == "The answer is yes"
    assert fed("Go " + "left and right, " * 6).kept() == "Go left and right,"


def test_ordinary_answers_and_lists_are_not_loops() -> None:
    text = ("1. Bring an ID card. 2. Bring proof of address. 3. Fill in the form at the desk. "
            "You can borrow ten books for three weeks; you can renew them twice, and you can "
            "renew them online, by phone or at the desk. Is there anything else?")
    guard = fed(text)
    assert not guard.looping and guard.kept() == text
    assert without_repeats(text) == text
    assert without_repeats("Yes. " + "We open at nine on Mondays. " * 5) == (
        "Yes. We open at nine on Mondays.")


def test_a_looping_model_is_stopped_at_once_and_the_answer_says_why() -> None:
    model = FakeChatModel(endless=True)  # "word word word …" forever
    started = time.monotonic()
    answer, events = play(ChatTurn(model), request())
    assert time.monotonic() - started < 2
    assert model.stopped == 1 and model.produced < 30  # stopped right after the loop showed
    assert answer == f"word\n\n{STOPPED_NOTE}"
    assert events[-1] == Done(answer)
    assert events[-2] == TextDelta(f"\n\n{STOPPED_NOTE}")


def test_a_repeated_sentence_is_cut_in_the_recorded_answer() -> None:
    loop = "Sure. " + "The library opens at nine every day. " * 4 + "And more."
    answer, _ = play(ChatTurn(FakeChatModel(loop)), request())
    assert answer == f"Sure. The library opens at nine every day.\n\n{STOPPED_NOTE}"


def test_a_stopped_answer_is_not_cached(tmp_path: Path) -> None:
    loop = "The library opens at nine every day. " * 4
    model = FakeChatModel(loop, "Nine o'clock.")
    options = {"cache": True}

    async def twice() -> list[str | None]:
        answers = []
        async with SemanticCache(tmp_path / "cache", None) as cache:
            for _ in range(2):
                async def emit(event: TurnEvent) -> None:
                    return None

                answers.append(await ChatTurn(model, cache=cache).run(
                    request("When do you open?", **options), emit))
        return answers

    first, second = asyncio.run(twice())
    assert first is not None and first.endswith(STOPPED_NOTE)
    assert second == "Nine o'clock."  # asked the model again, not the cache


def test_every_turn_has_a_token_cap() -> None:
    model = FakeChatModel("a", "b")
    play(ChatTurn(model), request())
    play(ChatTurn(model), request(max_tokens=40))
    assert [r.max_tokens for r in model.requests] == [DEFAULT_ANSWER_TOKENS, 40]


class _BlockingFake(FakeChatModel):
    def complete_blocking(self, request: CompletionRequest, timeout: float) -> Completion:
        self.requests.append(request)
        return Completion("It is sunny. " * 6)


def test_basic_llm_answers_have_a_token_cap_and_no_loops() -> None:
    model = _BlockingFake()
    service = LlmKeywordService(lambda _name: model)
    assert service.complete("weather?", None) == "It is sunny."
    assert model.requests[0].max_tokens == DEFAULT_MAX_TOKENS == 512


def test_smollm2_asked_to_repeat_itself_is_stopped_before_the_cap() -> None:
    model = load(SMOLLM2)
    try:
        answer, events = play(ChatTurn(model), request(
            "List the days of the week, then list them again and again without stopping.",
            temperature=0.0, max_tokens=400))
        generated = model.generated_tokens
    finally:
        model.close()
    assert answer is not None and answer.endswith(STOPPED_NOTE), answer
    assert answer.count("Sunday") <= 3, answer  # the repeats are not kept
    assert generated < 400  # the guard, not the token cap, ended it
    assert isinstance(events[-1], Done)
