"""Local AI: Hearth's LLM layer against raw llama-cpp-python, the cache, tool calling.

1. **speed** — the same model file, threads, context and prompt through raw llama-cpp-python
   (``Llama.create_chat_completion(stream=True)``) and through the engine (``ChatTurn`` on
   ``LlamaCppChatModel``: prompt builder, worker thread, asyncio queue, think filter, events),
   interleaved question by question. Decode tokens/s (target ≥ 95% of raw) and
   time-to-first-token (target ≤ raw + 20 ms): the best run of each path (on a shared
   machine other processes only ever slow a run down), medians beside them.
2. **cache** — a semantic cache hit with the real MiniLM ONNX embedder: ``SemanticCache.lookup``
   alone and a whole cached ``ChatTurn`` (target p50 ≤ 5 ms, query embedding included).
3. **tools** — tool-call success on SmolLM2 and Qwen2.5 0.5B with constrained decoding
   (target ≥ 90%) over 58 requests for 6 tools (``bench/toolcases.py``: a tune half and a
   held-out half, each 24 needing a tool and 5 needing none), per selection strategy (all
   tools, the embedding shortlist before and after issue 12, checked arguments, the gate).
4. **followup** — TTFT of turn 1 vs turn 5 with a ~1,500-token prefix, raw llama-cpp-python
   beside the engine, alone and interleaved with another session (``bench/llm_followup.py``;
   target turn 5 ≤ 1.5 × turn 1).

    .venv/bin/python bench/llm.py [--sections speed,cache,followup,tools]
                                  [--models smollm2,qwen] [--threads 2] [--repeat 3]
                                  [--tokens 96] [--halves tune,held-out]
                                  [--strategies all,before,views,checked,gated,engine]
                                  [--results llm]

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
from bench.llm_followup import followup  # noqa: E402
from bench.toolcases import HELD_OUT, TOOLS, TUNE  # noqa: E402
from engine.llm.cache import CacheScope, SemanticCache  # noqa: E402
from engine.llm.decision import NONE, Decision  # noqa: E402
from engine.llm.events import TextDelta, TurnEvent  # noqa: E402
from engine.llm.llamacpp import LlamaCppChatModel  # noqa: E402
from engine.llm.models import ModelManager  # noqa: E402
from engine.llm.provider import CompletionRequest, Message  # noqa: E402
from engine.llm.shortlist import DEFAULT_MIN_SCORE as TOOL_MIN_SCORE  # noqa: E402
from engine.llm.shortlist import DEFAULT_SURE_SCORE as TOOL_SURE_SCORE  # noqa: E402
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


def tool_calls(name: str, threads: int, shortlist: ToolShortlist | None,
               checked: bool = True, halves: tuple[str, ...] = ("tune", "held-out")
               ) -> dict[str, Any]:
    """Each half's success: the right tool with the key argument right, or no call when
    none is needed. ``checked`` False skips the argument check, retry and slot filling (the
    decision as it was before)."""
    model = LlamaCppChatModel(model_file(MODELS[name]), n_threads=threads, n_ctx=2048, name=name)
    model.load()
    loop = ToolLoop(model, _NoRun(), shortlist=shortlist)
    if not checked:
        loop._checked = _unchecked  # type: ignore[method-assign]

    async def decide(text: str) -> tuple[Any, float]:
        request = CompletionRequest((Message("user", text),), tools=tuple(TOOLS))
        started = time.perf_counter()
        tools = tuple(await loop.candidates(request))
        decision = await loop.decide(CompletionRequest(request.messages, tools=tools)) \
            if tools else Decision(NONE, {})
        return decision, time.perf_counter() - started

    result: dict[str, Any] = {}
    for half in halves:
        cases = TUNE if half == "tune" else HELD_OUT
        ok = right = valid = made = false_calls = 0
        misses: list[str] = []
        seconds: list[float] = []
        for text, expected, argument, wanted in cases:
            decision, elapsed = asyncio.run(decide(text))
            seconds.append(elapsed)
            made += decision.is_call
            valid += decision.is_call and schema_valid(decision.tool, decision.arguments)
            if expected is None:
                good = not decision.is_call
                false_calls += decision.is_call
            else:
                right += decision.tool == expected
                good = decision.tool == expected and wanted.lower() in str(
                    decision.arguments.get(argument, "")).lower()
            ok += good
            if not good:
                misses.append(f"{text!r} -> {decision.tool} {decision.arguments}")
        tool_cases = sum(1 for c in cases if c[1] is not None)
        result[half] = {"success": ok / len(cases), "requests": len(cases),
                        "right_tool": right / tool_cases, "schema_valid_calls": valid,
                        "calls": made, "no_tool_false_calls": false_calls,
                        "no_tool_requests": len(cases) - tool_cases,
                        "decision_ms_median": statistics.median(seconds) * 1000,
                        "misses": misses}
    model.close()
    return result


async def _unchecked(decision: Any, *_: Any) -> Any:
    return decision


# --- main --------------------------------------------------------------------------------------

def _previous() -> dict[str, Any]:
    try:
        previous = json.loads((REPO / "bench" / "results" / "llm.json").read_text())
    except (OSError, ValueError):
        return {}
    return {k: previous[k] for k in ("speed", "cache", "followup", "tools") if k in previous}


def _speed_cells(figures: dict[str, float]) -> list[float]:
    return [figures["ttft_ms"], figures["tokens_per_s"], figures["ttft_ms_median"],
            figures["tokens_per_s_median"]]


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sections", default="speed,cache,followup,tools")
    parser.add_argument("--models", default="smollm2,qwen")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=96)
    parser.add_argument("--halves", default="tune,held-out")
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--results", default="llm", help="bench/results/NAME.json")
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
    if "followup" in sections:
        results["followup"] = {m: followup(model_file(MODELS[m]), args.threads)
                               for m in models}
        results["followup"]["run"] = run
        print_table(["model", "path", "prefix", "TTFT turn 1 ms", "turns 2-5 ms",
                     "turn 5 / turn 1", "evaluated turn 1 / 5"], [
            [m if p == "raw, alone" else "", p, r["prefix_tokens"], f["ttft_ms"][0],
             " ".join(f"{t:.0f}" for t in f["ttft_ms"][1:]), f"{f['turn5_vs_turn1']:.2f}x",
             f"{f['evaluated_tokens'][0]} / {f['evaluated_tokens'][-1]}"]
            for m, r in results["followup"].items() if m != "run"
            for p, f in r.items() if p != "prefix_tokens"])
    if "tools" in sections:
        embedder = _embedder()
        results["tools"] = {f"{m} {label}": tool_calls(m, args.threads, shortlist(embedder),
                                                       checked, tuple(args.halves.split(",")))
                            for m in models for key, (label, shortlist, checked)
                            in STRATEGIES.items() if key in args.strategies.split(",")}
        print_table(["model / strategy", "half", "success", "right tool", "valid/calls",
                     "false calls", "ms/decision"], [
            [k if h == "tune" else "", h, f"{v['success']:.0%} of {v['requests']}",
             f"{v['right_tool']:.0%}", f"{v['schema_valid_calls']}/{v['calls']}",
             f"{v['no_tool_false_calls']}/{v['no_tool_requests']}", v["decision_ms_median"]]
            for k, r in results["tools"].items() for h, v in r.items()])
        results["tools"]["run"] = run
        embedder.close()
    print(f"results: {write_results(args.results, results)}")


def _name_and_description(descriptor: Any) -> str:
    """The shortlist's text before issue 12: the name and description only."""
    function = descriptor["function"]
    return f"{function['name'].replace('-', ' ')}: {function['description']}"


STRATEGIES: dict[str, tuple[str, Any, bool]] = {  # key: label, shortlist, checked arguments
    "all": ("all tools, grammar", lambda e: None, False),
    "before": ("shortlist 1 (name + description), grammar",
               lambda e: ToolShortlist(e, 1, describe=_name_and_description), False),
    "views": ("shortlist 1 (views + name bonus), grammar", lambda e: ToolShortlist(e, 1), False),
    "checked": ("shortlist 1 (views + name bonus), grammar, checked arguments",
                lambda e: ToolShortlist(e, 1), True),
    "gated": ("gate + shortlist 1 (views + name bonus), grammar, checked arguments",
              lambda e: ToolShortlist(e, 1, min_score=TOOL_MIN_SCORE), True),
    "engine": ("engine default: gate + shortlist 1 (views + name bonus) + must call when "
               "sure, grammar, checked arguments",
               lambda e: ToolShortlist(e, 1, min_score=TOOL_MIN_SCORE,
                                       sure_score=TOOL_SURE_SCORE), True),
}


def _embedder() -> Any:
    from engine.kb.embedders import MiniLmOnnxEmbedder

    return MiniLmOnnxEmbedder(model_file(EMBEDDER).parent, threads=1)


if __name__ == "__main__":
    main()
