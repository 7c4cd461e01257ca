"""Follow-up turns (issue 12): time to first token of turn 1 vs turn 5 of one conversation
with a ~1,500-token prefix (a system prompt of branch rules), raw llama-cpp-python beside
the engine, each alone and interleaved (another conversation's turn and a tool decision on
the same model between two turns, as when several sessions share the local model).

The raw path is ``Llama.create_chat_completion(stream=True)`` on a plain ``Llama``: it keeps
only the last prompt's tokens, so interleaving makes it evaluate the whole prompt again.
The engine's ``LlamaCppChatModel`` also keeps recent prompt states in RAM
(:mod:`engine.llm.prefixcache`). Target: turn 5 ≤ 1.5 × turn 1.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from engine.llm.events import TextDelta, TurnEvent
from engine.llm.llamacpp import LlamaCppChatModel
from engine.llm.prefixcache import evaluated_prompt_tokens
from engine.llm.provider import CompletionRequest, Message
from engine.llm.toolloop import ToolLoop
from engine.llm.turn import ChatTurn, TurnOptions, TurnRequest

RULES = "You answer questions about our shops. " + " ".join(
    f"Rule {i}: the shop at branch {i} opens at {7 + i % 4} am and closes at {17 + i % 5} pm "
    "on weekdays." for i in range(60))
OTHER = "You are a travel guide. " + " ".join(
    f"Tip {i}: visit the old town of city {i} early." for i in range(25))
QUESTIONS = ["When does branch 3 open?", "And branch 4?", "What about branch 10?",
             "Does branch 12 close late?", "Thanks. And branch 20?"]
NOTE = {"type": "function", "function": {
    "name": "save-note", "description": "Save a note for the user", "parameters": {
        "type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}}}
TOKENS = 24


def followup(path: Path, threads: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for interleaved in (False, True):
        result.update(_both(path, threads, interleaved))
    return result


def _both(path: Path, threads: int, interleaved: bool) -> dict[str, Any]:
    """Raw and engine paths over the same conversation, on fresh model instances."""
    import llama_cpp

    raw = llama_cpp.Llama(str(path), n_ctx=4096, n_threads=threads, n_threads_batch=threads,
                          n_batch=512, verbose=False)
    model = LlamaCppChatModel(path, n_threads=threads, n_ctx=4096, name=path.stem)
    model.load()
    label = "interleaved" if interleaved else "alone"
    note = CompletionRequest((Message("user", "note: buy milk"),), tools=(NOTE,))
    result: dict[str, Any] = {"prefix_tokens": model.count_tokens(RULES)}
    result[f"raw, {label}"] = _conversation(
        lambda system, history, q: _raw_turn(llama_cpp, raw, system, history, q),
        interleaved, lambda: _raw_decision(raw))
    result[f"engine, {label}"] = _conversation(
        lambda system, history, q: _engine_turn(model, system, history, q),
        interleaved, lambda: asyncio.run(ToolLoop(model, _NoRun()).decide(note)))
    model.close()
    raw.close()
    return result


def _conversation(turn: Any, interleaved: bool, decide: Any) -> dict[str, Any]:
    history: list[Message] = []
    other: list[Message] = []
    ttft: list[float] = []
    evaluated: list[int] = []
    for question in QUESTIONS:
        first, text, count = turn(RULES, history, question)
        ttft.append(first * 1000)
        evaluated.append(count)
        history += [Message("user", question), Message("assistant", text)]
        if interleaved:  # another session's turn and a tool decision on the same model
            _, answer, _ = turn(OTHER, other, f"Tip for city {len(other)}?")
            other += [Message("user", f"Tip for city {len(other)}?"),
                      Message("assistant", answer)]
            decide()
    return {"ttft_ms": ttft, "evaluated_tokens": evaluated,
            "turn5_vs_turn1": ttft[-1] / ttft[0]}


def _raw_turn(llama_cpp: Any, raw: Any, system: str, history: list[Message],
              question: str) -> tuple[float, str, int]:
    messages = [{"role": "system", "content": system},
                *({"role": m.role, "content": m.content} for m in history),
                {"role": "user", "content": question}]
    before = evaluated_prompt_tokens(llama_cpp, raw)
    started = time.perf_counter()
    first, parts = 0.0, []
    for chunk in raw.create_chat_completion(messages, stream=True, max_tokens=TOKENS,
                                            temperature=0.0):
        if text := chunk["choices"][0]["delta"].get("content"):
            first = first or time.perf_counter() - started
            parts.append(text)
    return first, "".join(parts).strip(), evaluated_prompt_tokens(llama_cpp, raw) - before


def _raw_decision(raw: Any) -> None:
    raw.create_chat_completion([{"role": "user", "content": "note: buy milk"}],
                               max_tokens=16, temperature=0.0)


def _engine_turn(model: LlamaCppChatModel, system: str, history: list[Message],
                 question: str) -> tuple[float, str, int]:
    times: list[float] = []

    async def emit(event: TurnEvent) -> None:
        if isinstance(event, TextDelta):
            times.append(time.perf_counter())

    async def run() -> tuple[float, str | None]:
        started = time.perf_counter()
        request = TurnRequest("bench", "s", "u", question, system_parts=(system,),
                              history=tuple(history), options=TurnOptions(
                                  temperature=0.0, max_tokens=TOKENS, idle_timeout=600))
        return started, await ChatTurn(model).run(request, emit)

    started, text = asyncio.run(run())
    return times[0] - started if times else 0.0, text or "", model.last_evaluated_tokens


class _NoRun:
    async def run(self, name: str, arguments: dict[str, Any]) -> str:
        return "ok"
