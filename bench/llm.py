"""Local AI: Hearth's LLM layer against raw llama-cpp-python, the cache, tool calling.

1. **speed** — the same model file, threads, context and prompt through raw llama-cpp-python
   (``Llama.create_chat_completion(stream=True)``) and through the engine (``ChatTurn`` on
   ``LlamaCppChatModel``: prompt builder, worker thread, asyncio queue, think filter, events),
   interleaved question by question. Decode tokens/s (target ≥ 95% of raw) and
   time-to-first-token (target ≤ raw + 20 ms): the best run of each path (on a shared
   machine other processes only ever slow a run down), medians beside them.
2. **cache** — a semantic cache hit with the real MiniLM ONNX embedder: ``SemanticCache.lookup``
   alone and a whole cached ``ChatTurn`` (target p50 ≤ 5 ms, query embedding included).
3. **tools** — tool-call success over 20 varied requests (5 tools) on SmolLM2 and Qwen2.5
   0.5B with constrained decoding (target ≥ 90%), without and with the embedding shortlist,
   plus 5 requests that need no tool.

    .venv/bin/python bench/llm.py [--sections speed,cache,tools] [--models smollm2,qwen]
                                  [--threads 2] [--repeat 3] [--tokens 96]

Models come from (or are pulled into) ``$HEARTH_MODELS_CACHE``, else ``.cache/models``.
Writes ``bench/results/llm.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import print_table, write_results  # noqa: E402
from engine.llm.cache import CacheScope, SemanticCache  # noqa: E402
from engine.llm.events import TextDelta, TurnEvent  # noqa: E402
from engine.llm.llamacpp import LlamaCppChatModel  # noqa: E402
from engine.llm.models import ModelManager  # noqa: E402
from engine.llm.provider import CompletionRequest, Message  # noqa: E402
from engine.llm.shortlist import ToolShortlist  # noqa: E402
from engine.llm.toolloop import ToolLoop  # noqa: E402
from engine.llm.turn import ChatTurn, TurnOptions, TurnRequest, cache_scope  # noqa: E402

MODELS = {"smollm2": "smollm2-135m-instruct", "qwen": "qwen2.5-coder-0.5b-instruct"}
EMBEDDER = "all-minilm-l6-v2"
QUESTIONS = ["What is the capital of France?", "Give me three tips for better sleep.",
             "Explain what a database index is.", "Write a short poem about the sea."]


def model_file(name: str) -> Path:
    cache = Path(os.environ.get("HEARTH_MODELS_CACHE") or REPO / ".cache" / "models")
    return ModelManager(cache).ensure(name)


# --- 1. speed ----------------------------------------------------------------------------------

def raw_run(llm: Any, messages: list[dict[str, str]], tokens: int) -> tuple[float, float, int]:
    started = time.perf_counter()
    first = last = 0.0
    count = 0
    for chunk in llm.create_chat_completion(messages, stream=True, max_tokens=tokens,
                                            temperature=0.0):
        if chunk["choices"][0]["delta"].get("content"):
            last = time.perf_counter()
            first = first or last
            count += 1
    return first - started, (count - 1) / (last - first), count


def engine_run(model: LlamaCppChatModel, request: TurnRequest) -> tuple[float, float, int]:
    times: list[float] = []

    async def emit(event: TurnEvent) -> None:
        if isinstance(event, TextDelta):
            times.append(time.perf_counter())

    async def turn() -> float:
        started = time.perf_counter()  # on a running loop, as in the engine
        await ChatTurn(model).run(request, emit)
        return started

    before = model.generated_tokens
    started = asyncio.run(turn())
    count = model.generated_tokens - before
    return times[0] - started, (count - 1) / (times[-1] - times[0]), count


def speed(name: str, threads: int, repeat: int, tokens: int) -> dict[str, Any]:
    from llama_cpp import Llama

    path = model_file(MODELS[name])
    raw = Llama(str(path), n_ctx=2048, n_threads=threads, n_threads_batch=threads,
                n_batch=512, verbose=False)
    model = LlamaCppChatModel(path, n_threads=threads, n_ctx=2048, name=name)
    model.load()
    options = TurnOptions(temperature=0.0, max_tokens=tokens)
    runs: dict[str, list[tuple[float, float, int]]] = {"raw": [], "engine": []}
    for question in QUESTIONS[:1] + QUESTIONS * repeat:  # the first pair warms both up
        request = TurnRequest("bench", "s", "u", question, options=options)
        messages = [{"role": m.role, "content": m.content}
                    for m in ChatTurn(model).prompt(request).messages]
        runs["raw"].append(raw_run(raw, messages, tokens))
        runs["engine"].append(engine_run(model, request))
    model.close()
    raw.close()
    result: dict[str, Any] = {path_: {
        "ttft_ms": min(r[0] for r in rs[1:]) * 1000,
        "tokens_per_s": max(r[1] for r in rs[1:]),
        "ttft_ms_median": statistics.median(r[0] for r in rs[1:]) * 1000,
        "tokens_per_s_median": statistics.median(r[1] for r in rs[1:]),
        "tokens": sum(r[2] for r in rs[1:])} for path_, rs in runs.items()}
    result["speed_ratio"] = result["engine"]["tokens_per_s"] / result["raw"]["tokens_per_s"]
    result["ttft_delta_ms"] = result["engine"]["ttft_ms"] - result["raw"]["ttft_ms"]
    return result


# --- 2. cache ----------------------------------------------------------------------------------

def faq(i: int) -> tuple[str, str]:
    topics = ["opening hours", "return policy", "shipping cost", "warranty", "gift cards"]
    return f"What is the {topics[i % 5]} for store number {i}?", f"Answer {i}"


def cache_latency(samples: int) -> dict[str, Any]:
    from engine.kb.embedders import MiniLmOnnxEmbedder

    # One intra-op thread: a single short query gains nothing from more, and spinning
    # onnxruntime threads on a busy 2-core machine cost far more than they give.
    embedder = MiniLmOnnxEmbedder(model_file(EMBEDDER).parent, threads=1)
    model = LlamaCppChatModel(model_file(MODELS["smollm2"]), n_ctx=2048, name="smollm2")
    scope = CacheScope(bot="bench", model="smollm2")

    async def main(folder: Path) -> dict[str, list[float]]:
        timings: dict[str, list[float]] = {"exact": [], "semantic": [], "turn": [],
                                           "embedding alone": [], "semantic, vector given": []}
        async with SemanticCache(folder, embedder, threshold=0.95) as cache:
            for i in range(200):
                await cache.store(scope, *faq(i))
            for i in range(samples):
                question = faq(i % 200)[0]
                for kind, text in (("exact", question.upper()),
                                   ("semantic", question.replace("What is", "What's"))):
                    started = time.perf_counter()
                    found = await cache.lookup(scope, text)
                    timings[kind].append(time.perf_counter() - started)
                    assert found is not None and found.text == faq(i % 200)[1], (kind, text)
                timings["turn"].append(await cached_turn(model, cache, question))
                started = time.perf_counter()
                embedder.embed([question.replace("What is", "What's")])
                timings["embedding alone"].append(time.perf_counter() - started)
                again = question.replace("What is", "What's").lower()
                vector = embedder.embed([again])[0]  # as the KB search would have done
                started = time.perf_counter()
                found = await cache.lookup(scope, again, embedding=vector)
                timings["semantic, vector given"].append(time.perf_counter() - started)
                assert found is not None and not found.exact
        return timings

    with tempfile.TemporaryDirectory() as folder:
        timings = asyncio.run(main(Path(folder)))
    embedder.close()
    return {kind: {"p50_ms": _pct(values, 50), "p95_ms": _pct(values, 95), "n": len(values)}
            for kind, values in timings.items()}


async def cached_turn(model: LlamaCppChatModel, cache: SemanticCache, question: str) -> float:
    """A whole chat turn answered from the cache (prompt, scope, lookup, events)."""
    options = TurnOptions(cache=True, cache_semantic=True)
    fresh = question.replace("What is", "What's").upper()  # not embedded before: no memo
    request = TurnRequest("bench", "s", "u", fresh, options=options)
    await cache.store(cache_scope(request, model.model), question, "cached answer")
    events: list[TurnEvent] = []

    async def emit(event: TurnEvent) -> None:
        events.append(event)

    started = time.perf_counter()
    await ChatTurn(model, cache=cache).run(request, emit)
    elapsed = time.perf_counter() - started
    assert getattr(events[-1], "cached", False), events[-1]
    return elapsed


# --- 3. tools ----------------------------------------------------------------------------------

def tool(name: str, description: str, params: dict[str, dict[str, Any]],
         required: list[str]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": description,
            "parameters": {"type": "object", "properties": params, "required": required}}}


def _s(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


TOOLS = [
    tool("save-note", "Save a note for the user", {"text": _s("The note text")}, ["text"]),
    tool("check-order", "Look up the status of an order",
         {"order_id": _s("Order number", example="A-1001"),
          "channel": _s("Where the order was placed", enum=["web", "phone"])}, ["order_id"]),
    tool("get-weather", "Get the weather forecast for a city", {"city": _s("City name")},
         ["city"]),
    tool("book-meeting", "Book a meeting in the calendar",
         {"title": _s("Meeting title"), "date": _s("Day of the meeting", format="date")},
         ["title", "date"]),
    tool("convert-currency", "Convert an amount of money between currencies",
         {"amount": {"type": "number", "description": "Amount to convert"},
          "from_currency": _s("Currency code to convert from"),
          "to_currency": _s("Currency code to convert to")},
         ["amount", "from_currency", "to_currency"]),
]
CASES = [  # request, expected tool, key argument, text the argument must contain
    ("Please note that I need to buy milk", "save-note", "text", "milk"),
    ("Remember this: call mom on Sunday", "save-note", "text", "mom"),
    ("Save a note: the wifi password is hunter2", "save-note", "text", "hunter2"),
    ("Add to my notes that the team lunch moved to Friday", "save-note", "text", "lunch"),
    ("Jot down: dentist appointment next Tuesday", "save-note", "text", "dentist"),
    ("Where is my order A-1234?", "check-order", "order_id", "A-1234"),
    ("What's the status of order B-7781?", "check-order", "order_id", "B-7781"),
    ("Has order C-5002 shipped yet?", "check-order", "order_id", "C-5002"),
    ("I ordered D-4410 by phone, can you check it?", "check-order", "order_id", "D-4410"),
    ("Track order E-9001 please", "check-order", "order_id", "E-9001"),
    ("What's the weather in Paris?", "get-weather", "city", "Paris"),
    ("Will it rain in London tomorrow?", "get-weather", "city", "London"),
    ("How hot is it in Cairo today?", "get-weather", "city", "Cairo"),
    ("Weather forecast for Tokyo", "get-weather", "city", "Tokyo"),
    ("Do I need an umbrella in Seattle today?", "get-weather", "city", "Seattle"),
    ("Book a meeting called Budget review on 2025-03-14", "book-meeting", "date", "2025-03-14"),
    ("Schedule a meeting 'Team sync' for 2025-04-02", "book-meeting", "date", "2025-04-02"),
    ("Set up a meeting titled Design kickoff on 2025-05-20", "book-meeting", "title", "design"),
    ("Convert 100 USD to EUR", "convert-currency", "amount", "100"),
    ("How much is 250 euros in Japanese yen?", "convert-currency", "amount", "250"),
]
NO_TOOL = ["Hello!", "Tell me a joke", "What is the capital of Italy?", "Thanks, that's all",
           "Who are you?"]


class _NoRun:
    async def run(self, name: str, arguments: dict[str, Any]) -> str:
        return "ok"


def schema_valid(name: str, arguments: dict[str, Any]) -> bool:
    spec = next(t["function"]["parameters"] for t in TOOLS if t["function"]["name"] == name)
    types: dict[str, type | tuple[type, ...]] = {"string": str, "number": (int, float),
                                                 "integer": int}
    return set(spec["required"]) <= set(arguments) and set(arguments) <= set(
        spec["properties"]) and all(isinstance(v, types[spec["properties"][k]["type"]])
                                    for k, v in arguments.items())


def tool_calls(name: str, threads: int, shortlist: ToolShortlist | None) -> dict[str, Any]:
    model = LlamaCppChatModel(model_file(MODELS[name]), n_threads=threads, n_ctx=2048, name=name)
    model.load()
    loop = ToolLoop(model, _NoRun(), shortlist=shortlist)

    async def decide(text: str) -> tuple[Any, float]:
        request = CompletionRequest((Message("user", text),), tools=tuple(TOOLS))
        started = time.perf_counter()
        tools = tuple(await loop.candidates(request))
        decision = await loop.decide(CompletionRequest(request.messages, tools=tools))
        return decision, time.perf_counter() - started

    right = full = valid = made = 0
    misses: list[str] = []
    seconds: list[float] = []
    for text, expected, argument, wanted in CASES:
        decision, elapsed = asyncio.run(decide(text))
        seconds.append(elapsed)
        ok_tool = decision.tool == expected
        ok_arg = ok_tool and wanted.lower() in str(decision.arguments.get(argument, "")).lower()
        right, full = right + ok_tool, full + ok_arg
        made += decision.is_call
        valid += decision.is_call and schema_valid(decision.tool, decision.arguments)
        if not ok_arg:
            misses.append(f"{text!r} -> {decision.tool} {decision.arguments}")
    false_calls = sum(asyncio.run(decide(text))[0].is_call for text in NO_TOOL)
    model.close()
    calls = sum(1 for _ in CASES)
    return {"right_tool": right / calls, "right_tool_and_argument": full / calls,
            "schema_valid_calls": valid, "calls": made, "no_tool_false_calls": false_calls,
            "no_tool_requests": len(NO_TOOL), "decision_ms_median":
            statistics.median(seconds) * 1000, "misses": misses}


# --- main --------------------------------------------------------------------------------------

def _previous() -> dict[str, Any]:
    try:
        previous = json.loads((REPO / "bench" / "results" / "llm.json").read_text())
    except (OSError, ValueError):
        return {}
    return {k: previous[k] for k in ("speed", "cache", "tools") if k in previous}


def _speed_cells(figures: dict[str, float]) -> list[float]:
    return [figures["ttft_ms"], figures["tokens_per_s"], figures["ttft_ms_median"],
            figures["tokens_per_s_median"]]


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sections", default="speed,cache,tools")
    parser.add_argument("--models", default="smollm2,qwen")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=96)
    args = parser.parse_args()
    sections, models = args.sections.split(","), args.models.split(",")
    results = _previous()  # a run of some sections keeps the others' last figures
    run = {"threads": args.threads, "load_average": os.getloadavg(),
           "at": time.strftime("%Y-%m-%d %H:%M")}
    if "speed" in sections:
        results["speed"] = {m: speed(m, args.threads, args.repeat, args.tokens) for m in models}
        results["speed"]["run"] = run
        print_table(["model", "path", "TTFT ms", "tokens/s", "median TTFT", "median tok/s",
                     "vs raw"], [
            row for m, r in results["speed"].items() if m != "run" for row in (
                [m, "raw llama-cpp-python", *_speed_cells(r["raw"]), "100%"],
                ["", "engine (ChatTurn)", *_speed_cells(r["engine"]),
                 f"{r['speed_ratio']:.0%} / TTFT {r['ttft_delta_ms']:+.1f} ms"])])
    if "cache" in sections:
        results["cache"] = cache_latency(100)
        print_table(["cache hit", "p50 ms", "p95 ms", "n"],
                    [[k, v["p50_ms"], v["p95_ms"], v["n"]] for k, v in results["cache"].items()])
        results["cache"]["run"] = run
    if "tools" in sections:
        embedder = _embedder()
        results["tools"] = {f"{m} {label}": tool_calls(m, args.threads, shortlist)
                            for m in models for label, shortlist in (
                                ("grammar, all tools", None),
                                ("shortlist 1 + grammar", ToolShortlist(embedder, 1)),
                                ("shortlist 2 + grammar", ToolShortlist(embedder, 2)))}
        print_table(["model / strategy", "right tool", "+ argument", "valid/calls",
                     "false calls", "ms/decision"], [
            [k, f"{v['right_tool']:.0%}", f"{v['right_tool_and_argument']:.0%}",
             f"{v['schema_valid_calls']}/{v['calls']}",
             f"{v['no_tool_false_calls']}/{v['no_tool_requests']}", v["decision_ms_median"]]
            for k, v in results["tools"].items()])
        results["tools"]["run"] = run
        embedder.close()
    print(f"results: {write_results('llm', results)}")


def _embedder() -> Any:
    from engine.kb.embedders import MiniLmOnnxEmbedder

    return MiniLmOnnxEmbedder(model_file(EMBEDDER).parent, threads=1)


if __name__ == "__main__":
    main()
