"""The prompt builder: message order, the KB slot with numbered sources, the history budget."""

from __future__ import annotations

from engine.llm.prompt import (
    DEFAULT_SYSTEM_PROMPT,
    MESSAGE_OVERHEAD,
    Passage,
    PromptBuilder,
    PromptInput,
    openai_tool,
)
from engine.llm.provider import Message


def words(text: str) -> int:
    return len(text.split())


def builder(max_context: int = 10_000, reserve: int = 100,
            history_limit: int | None = None) -> PromptBuilder:
    return PromptBuilder(words, max_context, reserve, history_limit)


def test_order_is_system_context_kb_history_user() -> None:
    prompt = builder().build(PromptInput(
        "what now?", system_parts=("You are Ana.", "", "Be brief."), context="Order A-1 late",
        passages=(Passage("Returns take 30 days.", "policy.pdf", page=2),),
        history=(Message("user", "hi"), Message("assistant", "hello"))))
    roles = [m.role for m in prompt.messages]
    assert roles == ["system", "system", "system", "user", "assistant", "user"]
    assert prompt.messages[0].content == "You are Ana.\n\nBe brief."
    assert prompt.messages[1].content == "Order A-1 late"
    assert "[1] (policy.pdf, page 2)\nReturns take 30 days." in prompt.messages[2].content
    assert prompt.messages[-1] == Message("user", "what now?")
    assert [(c.n, c.source, c.page) for c in prompt.citations] == [(1, "policy.pdf", 2)]


def test_default_system_prompt_and_no_kb_message_without_passages() -> None:
    prompt = builder().build(PromptInput("hi"))
    assert prompt.messages == (Message("system", DEFAULT_SYSTEM_PROMPT), Message("user", "hi"))
    assert prompt.citations == ()


def test_history_keeps_the_newest_messages_that_fit() -> None:
    history = tuple(Message("user" if i % 2 == 0 else "assistant", f"m{i} " + "w " * 9)
                    for i in range(10))  # 10 words each
    cost = 10 + MESSAGE_OVERHEAD
    fixed = words(DEFAULT_SYSTEM_PROMPT) + MESSAGE_OVERHEAD + 1 + MESSAGE_OVERHEAD
    prompt = builder(max_context=fixed + 3 * cost + 100 + 5, reserve=100).build(
        PromptInput("q", history=history))
    kept = [m.content.split()[0] for m in prompt.messages[1:-1]]
    assert kept == ["m7", "m8", "m9"]
    assert prompt.dropped_history == 7
    assert prompt.tokens <= fixed + 3 * cost + 5


def test_history_limit_caps_the_count() -> None:
    history = tuple(Message("user", f"m{i}") for i in range(6))
    prompt = builder(history_limit=2).build(PromptInput("q", history=history))
    assert [m.content for m in prompt.messages[1:-1]] == ["m4", "m5"]
    assert builder(history_limit=0).build(PromptInput("q", history=history)).messages[1:-1] == ()


def test_history_never_starts_with_an_orphan_tool_result() -> None:
    history = (Message("assistant", "long " * 50),
               Message("tool", "result", tool_call_id="c"), Message("assistant", "done"))
    fixed = words(DEFAULT_SYSTEM_PROMPT) + 2 * MESSAGE_OVERHEAD + 1
    prompt = builder(max_context=fixed + 12 + 100, reserve=100).build(
        PromptInput("q", history=history))
    assert [m.role for m in prompt.messages] == ["system", "assistant", "user"]


def test_kb_passages_are_dropped_when_they_do_not_fit() -> None:
    passages = tuple(Passage("word " * 40, f"doc{i}.md") for i in range(5))
    prompt = builder(max_context=300, reserve=100).build(PromptInput("q", passages=passages))
    kb = prompt.messages[1].content
    assert "[1] (doc0.md)" in kb and "[2] (doc1.md)" not in kb
    assert [c.n for c in prompt.citations] == [1]
    assert prompt.citations[0].snippet.startswith("word word")


def test_tools_are_openai_function_schemas_also_from_mcp_descriptors() -> None:
    mcp = {"name": "check-order", "description": "Look up",
           "inputSchema": {"type": "object", "properties": {}, "required": []}}
    prompt = builder().build(PromptInput("q", tools=(mcp,)))
    assert prompt.tools == ({"type": "function", "function": {
        "name": "check-order", "description": "Look up",
        "parameters": {"type": "object", "properties": {}, "required": []}}},)
    assert openai_tool(prompt.tools[0]) is prompt.tools[0]
