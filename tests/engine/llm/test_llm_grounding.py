"""Grounded KB answers (issue 12): citations only for the passages used, one per source; the
extractive answer when the model is too small, too slow, declines or invents; tool results in
words, never raw JSON."""

from __future__ import annotations

from llmfakes import FakeChatModel, RecordingRunner, tool, tool_call
from test_llm_turn import play, request

from engine.llm.events import Citations, Done, TextDelta, ToolFinished
from engine.llm.grounding import (
    NOT_FOUND,
    AnswerMode,
    answer_mode,
    declines,
    extract,
    is_grounded,
    used_citations,
)
from engine.llm.prompt import Passage, citations_for, merge_passages
from engine.llm.provider import Capabilities
from engine.llm.toolphrase import tool_sentence
from engine.llm.turn import ChatTurn, TurnOptions

HOURS = Passage("# Hours\nWe open at 9:00 on weekdays. On Saturday we open from 10:00 to "
                "16:00. We are closed on Sunday.", "hours.md")
FEES = Passage("The late fee is 20 cents per item per day. Fees stop at 5 euros.", "fees.md")
FEES_AGAIN = Passage("Children's books have no late fees.", "fees.md")
PASSAGES = (HOURS, FEES, FEES_AGAIN)


def turn_events(answer: object, message: str, mode: AnswerMode = AnswerMode.AUTO,
                **options: object) -> tuple[str | None, list[object], FakeChatModel]:
    model = answer if isinstance(answer, FakeChatModel) else FakeChatModel(answer)  # type: ignore[arg-type]
    text, events = play(ChatTurn(model), request(
        message, kb_passages=PASSAGES, kb_used=True,
        options=TurnOptions(kb_answer_mode=mode, **options)))  # type: ignore[arg-type]
    return text, events, model


def cited_sources(events: list[object]) -> list[str]:
    found = [e for e in events if isinstance(e, Citations)]
    return [c.source for c in found[0].items] if found else []


def test_passages_of_one_source_are_one_numbered_block_and_one_citation() -> None:
    merged = merge_passages(PASSAGES)
    assert [p.source for p in merged] == ["hours.md", "fees.md"]
    assert "no late fees" in merged[1].content and "20 cents" in merged[1].content
    _, events, model = turn_events("The late fee is 20 cents per item per day [2].",
                                   "What is the late fee?")
    prompt = "\n".join(m.content for m in model.requests[0].messages)
    assert prompt.count("(fees.md)") == 1 and "[3]" not in prompt
    assert cited_sources(events) == ["fees.md"]


def test_citations_name_only_passages_the_answer_used() -> None:
    citations = citations_for(merge_passages(PASSAGES))
    merged = merge_passages(PASSAGES)
    # no marker: the passage holding the sentence's words is the one cited
    used = used_citations("On Saturday we open from 10:00 to 16:00.", citations, merged)
    assert [c.source for c in used] == ["hours.md"]
    assert used_citations("Something else entirely.", citations, merged) == ()
    # markers pointing nowhere are ignored; a marker repeated is one citation
    assert [c.n for c in used_citations("Yes [2] [2] [9].", citations, merged)] == [2]


def test_an_invented_or_declined_answer_is_replaced_by_the_passage_sentences() -> None:
    for invented in ("We open on Saturday at 8 and never close.", "I don't know.", ""):
        text, events, _ = turn_events(invented, "When do you open on Saturday?")
        assert text == "On Saturday we open from 10:00 to 16:00. [1]", invented
        shown = "".join(e.text for e in events if isinstance(e, TextDelta))
        assert shown == text  # the model's own text was never shown
        assert cited_sources(events) == ["hours.md"]
    assert not is_grounded("We open at 8.", [HOURS], "When do you open?")
    assert is_grounded("We open at 9:00 on weekdays.", [HOURS], "When do you open?")
    assert declines("I'm sorry, the sources do not say.") and not declines("Closed on Sunday.")


def test_generative_mode_shows_the_model_answer_as_it_is() -> None:
    text, events, _ = turn_events("We open on Saturday at 8.", "When do you open on Saturday?",
                                  AnswerMode.GENERATIVE)
    assert text == "We open on Saturday at 8."
    assert cited_sources(events) == []


def test_a_slow_model_gets_the_extractive_answer() -> None:
    slow = FakeChatModel(endless=True, delay=0.02)
    text, events, _ = turn_events(slow, "What is the late fee per day?", idle_timeout=0.3)
    assert text == "The late fee is 20 cents per item per day. [2]"
    assert isinstance(events[-1], Done) and slow.stopped == 1


def test_a_model_too_small_for_the_passages_is_not_asked() -> None:
    tiny = FakeChatModel("never used", capabilities=Capabilities(max_context=40))
    text, _, _ = turn_events(tiny, "Are you closed on Sunday?")
    assert text == "We are closed on Sunday. [1]" and tiny.requests == []


def test_extractive_mode_never_asks_and_says_when_nothing_answers() -> None:
    text, _, model = turn_events("unused", "How much is the late fee?",
                                      AnswerMode.EXTRACTIVE)
    assert model.requests == [] and text is not None and text.startswith("The late fee is 20")
    assert extract("Where do I park my bicycle?", PASSAGES) is None
    nothing, _, _ = turn_events("unused", "Where do I park my bicycle?", AnswerMode.EXTRACTIVE)
    assert nothing == NOT_FOUND
    assert answer_mode(" Extractive ") is AnswerMode.EXTRACTIVE
    assert answer_mode("bogus") is AnswerMode.AUTO


def test_a_tool_result_the_model_does_not_phrase_becomes_a_sentence() -> None:
    result = '{"branch": "Main Library", "open": true, "hours": ["9-17", "10-16"]}'
    for final in ("", f"Here it is: {result}"):
        model = FakeChatModel(tool_call("opening_hours", "{}"), final,
                              capabilities=Capabilities(supports_tools=True))
        text, events = play(ChatTurn(model, tools=RecordingRunner({"opening_hours": result})),
                            request("Are you open?", tools=(tool("opening_hours"),)))
        assert text == "Opening hours: branch: Main Library; open: yes; hours: 9-17, 10-16"
        assert isinstance(events[-1], Done) and events[-1].full_text == text
        assert "{" not in text and any(isinstance(e, ToolFinished) for e in events)
    assert tool_sentence("add-note.bas", "Note saved") == "Add note: Note saved"
    assert tool_sentence("count", "[]") == "Count: nothing"


def test_a_model_that_fails_after_the_tool_ran_still_answers() -> None:
    from engine.llm.errors import LlmUnavailable

    model = FakeChatModel(tool_call("weather", "{}"), LlmUnavailable("gone"),
                          capabilities=Capabilities(supports_tools=True))
    text, events = play(ChatTurn(model, tools=RecordingRunner({"weather": "Sunny, 21 C"})),
                        request("Weather?", tools=(tool("weather"),)))
    assert text == "Weather: Sunny, 21 C" and isinstance(events[-1], Done)


def test_hearth_check_knows_kb_answer_mode_and_its_values() -> None:
    from engine.bots.configkeys import check_config

    assert check_config("name,value\nkb-answer-mode,extractive\n") == []
    [warning] = check_config("name,value\nkb-answer-mode,sometimes\n")
    assert warning.line == 2 and "auto, generative, extractive" in warning.message


def test_the_answer_mode_is_part_of_a_kb_answers_cache_scope() -> None:
    from engine.llm.turn import cache_scope

    def scope(mode: AnswerMode) -> object:
        return cache_scope(request("q", kb_used=True, kb_version="docs",
                                   options=TurnOptions(kb_answer_mode=mode)), "m")

    assert scope(AnswerMode.AUTO) != scope(AnswerMode.EXTRACTIVE)
    assert cache_scope(request("q"), "m") == cache_scope(
        request("q", options=TurnOptions(kb_answer_mode=AnswerMode.EXTRACTIVE)), "m")
