"""LLM-backed keywords (BASIC.md §6): LLM, TRANSLATE, SUMMARIZE, CLASSIFY, SENTIMENT,
SEE, OCR, THINK KB, SAVE FROM UNSTRUCTURED. Prompts are built here; the model comes from
the host's LLM service."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from engine.basic import values
from engine.basic.errors import DataError
from engine.basic.keywords.registry import Invocation, keyword
from engine.llm.grounding import is_grounded

if TYPE_CHECKING:
    from engine.basic.vm import VM

THINK_PROMPT = ("Answer the question only from the passages below, copying their words. If "
                "they do not answer it, reply: I don't know.")
_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


def ask(vm: VM, prompt: str) -> str:
    """One completion with the session's model; reasoning sections removed (§6)."""
    with vm.service_wait():
        answer = vm.host.llm.complete(prompt, vm.host.session.get("model"))
    return _THINK.sub("", answer).strip()


@keyword("LLM")
def llm(vm: VM, call: Invocation) -> str:
    return ask(vm, values.text(call.arg(0)))


@keyword("TRANSLATE")
def translate(vm: VM, call: Invocation) -> str:
    language = values.text(call.arg(1))
    prompt = (f"Translate the following text to {language}. Reply with the translation "
              f"only.\n\n{values.text(call.arg(0))}")
    return ask(vm, prompt)


@keyword("SUMMARIZE")
def summarize(vm: VM, call: Invocation) -> str:
    return ask(vm, f"Summarize the following text briefly.\n\n{values.text(call.arg(0))}")


@keyword("CLASSIFY")
def classify(vm: VM, call: Invocation) -> Any:
    raw = call.arg(1)
    categories = [values.text(c) for c in raw] if type(raw) is list else [
        c.strip() for c in values.text(raw).split(",") if c.strip()]
    prompt = (f"Classify the text into exactly one of these categories: "
              f"{', '.join(categories)}. Reply with the category only.\n\n"
              f"{values.text(call.arg(0))}")
    answer = ask(vm, prompt).lower()
    found = [c for c in categories if c.lower() in answer]
    return found[0] if len(found) == 1 else None


@keyword("SENTIMENT")
def sentiment(vm: VM, call: Invocation) -> dict[str, Any]:
    prompt = ('Give the sentiment of the text as a JSON object {"label": "positive" | '
              '"neutral" | "negative", "score": number from -1 to 1}. Reply with the JSON '
              f"only.\n\n{values.text(call.arg(0))}")
    answer = ask(vm, prompt)
    parsed = _json_object(answer)
    if parsed is not None and str(parsed.get("label", "")).lower() in (
            "positive", "neutral", "negative"):
        score = parsed.get("score", 0)
        number = float(score) if type(score) in (int, float) else 0.0
        return {"label": str(parsed["label"]).lower(), "score": max(-1.0, min(1.0, number))}
    lowered = answer.lower()
    for label, score in (("positive", 1), ("negative", -1), ("neutral", 0)):
        if label in lowered:
            return {"label": label, "score": score}
    return {"label": "neutral", "score": 0}


@keyword("SEE")
def see(vm: VM, call: Invocation) -> str:
    with vm.service_wait():
        return vm.host.llm.describe_image(call.arg(0), "see")


@keyword("OCR")
def ocr(vm: VM, call: Invocation) -> str:
    with vm.service_wait():
        return vm.host.llm.describe_image(call.arg(0), "ocr")


@keyword("THINK KB")
def think_kb(vm: VM, call: Invocation) -> dict[str, Any]:
    collections = vm.host.session.get("kbs") or []
    with vm.service_wait():
        found = vm.host.kb.think(values.text(call.arg(0)), collections)
    results = found.get("results") or []
    if not results:
        return {"results": [], "summary": "", "confidence": 0}
    question = values.text(call.arg(0))
    extract, mode = values.text(found.get("extract") or ""), found.get("answer_mode", "auto")
    if mode == "extractive" and extract:  # kb-answer-mode: the model is not asked
        summary = extract
    else:
        passages = "\n\n".join(values.text(r.get("content")) for r in results)
        summary = ask(vm, f"{THINK_PROMPT}\n\nQuestion: {question}\n\nPassages:\n{passages}")
        texts = [_Text(values.text(r.get("content"))) for r in results]
        if mode == "auto" and extract and not is_grounded(summary, texts, question):
            summary = extract  # the model declined or strayed from the passages
    return {"results": results, "summary": summary, "confidence": found.get("confidence", 0)}


class _Text:
    def __init__(self, content: str) -> None:
        self.content = content


@keyword("SAVE FROM UNSTRUCTURED")
def save_from_unstructured(vm: VM, call: Invocation) -> Any:
    table = values.text(call.arg(0))
    columns = vm.host.data.columns(table)
    wanted = ", ".join(c for c in columns if c != "id") or "the fields you find"
    prompt = (f"Extract one JSON object with the keys {wanted} from the text. Reply with the "
              f"JSON object only.\n\n{values.text(call.arg(1))}")
    record = _json_object(ask(vm, prompt))
    if record is None:
        raise DataError("the model's reply is not a JSON object")
    if columns:
        lowered = {c.lower() for c in columns}
        record = {k: v for k, v in record.items() if k.lower() in lowered}
    return vm.host.data.save(table, record)


def _json_object(answer: str) -> dict[str, Any] | None:
    text = _FENCE.sub("", answer.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        parsed = values.from_json_text(text[start:end + 1])
    except Exception:
        try:
            parsed = json.loads(text[start:end + 1])
        except ValueError:
            return None
    return parsed if type(parsed) is dict else None
