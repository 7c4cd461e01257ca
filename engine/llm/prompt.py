"""Building the messages of one chat turn (ARCHITECTURE.md §3).

Order: the system prompt (``PROMPT.md``/``system-prompt``, ``BEGIN SYSTEM PROMPT`` blocks,
switcher prompts, joined by blank lines), the active ``SET CONTEXT`` text as an extra system
message, the knowledge-base slot (numbered passages the answer cites as ``[n]``), the history
that fits the token budget (newest kept), then the user's message. The budget is the model's
context minus the tokens reserved for the answer, measured with the model's own tokenizer
(``ChatModel.count_tokens``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.llm.provider import JsonObject, Message

DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."
KB_INSTRUCTIONS = ("Answer only from the numbered sources below. Copy the words of the source "
                   "that answers the question and end with its number, like [1]. If no "
                   "source answers it, reply: I don't know.")
MESSAGE_OVERHEAD = 4  # role markers and separators of one message in a chat template
SNIPPET_CHARS = 160


@dataclass(frozen=True, slots=True)
class Passage:
    """A knowledge-base passage found for this turn, best first."""

    content: str
    source: str
    page: int | None = None
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """What ``[n]`` in an answer refers to (the chat protocol's ``citations`` entries)."""

    n: int
    source: str
    page: int | None
    snippet: str


@dataclass(frozen=True, slots=True)
class PromptInput:
    user_message: str
    system_parts: tuple[str, ...] = ()
    context: str | None = None
    passages: tuple[Passage, ...] = ()
    history: tuple[Message, ...] = ()
    tools: tuple[JsonObject, ...] = ()


@dataclass(frozen=True, slots=True)
class Prompt:
    messages: tuple[Message, ...]
    citations: tuple[Citation, ...]
    tools: tuple[JsonObject, ...]
    tokens: int
    dropped_history: int
    passages: tuple[Passage, ...] = ()
    """The passages in the prompt: passage *n* is citation *n* (one per source and page)."""


class PromptBuilder:
    """``max_context`` and ``reserve`` (tokens kept for the answer) set the budget;
    ``history_limit`` (config ``history-limit``) caps the number of history messages."""

    def __init__(self, count_tokens: Callable[[str], int], max_context: int, reserve: int,
                 history_limit: int | None = None) -> None:
        self._count = count_tokens
        self._budget = max(max_context - reserve, 0)
        self._history_limit = history_limit

    def build(self, given: PromptInput) -> Prompt:
        tools = tuple(openai_tool(t) for t in given.tools)
        head = list(system_messages(given.system_parts, given.context))
        user = Message("user", given.user_message)
        used = self._cost([*head, user]) + (self._count(json.dumps(tools)) if tools else 0)
        kb, kept = self._kb_slot(given.passages, self._budget - used)
        used += self._cost(kb)
        history = self._history(given.history, self._budget - used)
        used += self._cost(history)
        messages = (*head, *kb, *history, user)
        return Prompt(messages, citations_for(kept), tools, used,
                      len(given.history) - len(history), kept)

    def _cost(self, messages: Sequence[Message]) -> int:
        return sum(self._count(m.content) + MESSAGE_OVERHEAD for m in messages)

    def _kb_slot(self, passages: Sequence[Passage],
                 room: int) -> tuple[list[Message], tuple[Passage, ...]]:
        """As many passages (best first, one per source and page) as fit in half the room
        left."""
        kept: list[Passage] = []
        for passage in merge_passages(passages):
            text = kb_text([*kept, passage])
            if self._count(text) + MESSAGE_OVERHEAD > room // 2:
                break
            kept.append(passage)
        if not kept:
            return [], ()
        return [Message("system", kb_text(kept))], tuple(kept)

    def _history(self, history: Sequence[Message], room: int) -> list[Message]:
        limit = len(history) if self._history_limit is None else self._history_limit
        kept: list[Message] = []
        for message in reversed(history[len(history) - limit:] if limit > 0 else []):
            cost = self._cost([message])
            if cost > room:
                break
            kept.append(message)
            room -= cost
        while kept and kept[-1].role == "tool":  # never start on an orphan tool result
            kept.pop()
        return kept[::-1]


def system_messages(parts: Sequence[str], context: str | None) -> tuple[Message, ...]:
    """The system prompt (parts joined by blank lines) and the active context, if any."""
    prompt = "\n\n".join(p.strip() for p in parts if p and p.strip()) or DEFAULT_SYSTEM_PROMPT
    extra = (Message("system", context.strip()),) if context and context.strip() else ()
    return (Message("system", prompt), *extra)


def kb_text(passages: Sequence[Passage]) -> str:
    blocks = [f"[{n}] ({_where(p)})\n{p.content.strip()}" for n, p in enumerate(passages, 1)]
    return KB_INSTRUCTIONS + "\n\n" + "\n\n".join(blocks)


def merge_passages(passages: Sequence[Passage]) -> tuple[Passage, ...]:
    """Passages of the same source and page joined into one (in the order of their best
    part), so one source is never numbered twice; a text already present is not repeated."""
    merged: dict[tuple[str, int | None], list[Passage]] = {}
    for passage in passages:
        merged.setdefault((passage.source, passage.page), []).append(passage)
    out = []
    for (source, page), parts in merged.items():
        texts = list(dict.fromkeys(p.content.strip() for p in parts))
        texts = [t for t in texts if not any(t != o and t in o for o in texts)]
        out.append(Passage("\n\n".join(texts), source, page, parts[0].score))
    return tuple(out)


def citations_for(passages: Sequence[Passage]) -> tuple[Citation, ...]:
    return tuple(Citation(n, p.source, p.page, _snippet(p.content))
                 for n, p in enumerate(passages, 1))


def openai_tool(descriptor: Mapping[str, Any]) -> JsonObject:
    """An OpenAI function descriptor, also from the MCP shape (``inputSchema``)."""
    if descriptor.get("type") == "function" and "function" in descriptor:
        return descriptor
    return {"type": "function", "function": {
        "name": descriptor["name"], "description": descriptor.get("description", ""),
        "parameters": descriptor.get("inputSchema") or descriptor.get("parameters")
        or {"type": "object", "properties": {}, "required": []}}}


def tool_name(descriptor: Mapping[str, Any]) -> str:
    return str(openai_tool(descriptor)["function"]["name"])


def _where(passage: Passage) -> str:
    return passage.source + (f", page {passage.page}" if passage.page is not None else "")


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[:SNIPPET_CHARS - 1].rstrip() + "…"
