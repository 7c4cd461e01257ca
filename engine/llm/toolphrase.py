"""Tool results in words for the user (issue 12): the model phrases a tool's result; when it
writes nothing usable, the answer is a templated sentence, ``<Tool>: <value>``, made from the
result (JSON objects become ``key: value`` pairs, lists become comma-separated items), never a
raw JSON or dict dump.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

MAX_ITEMS = 20


def tool_label(name: str) -> str:
    """``opening-hours`` / ``opening_hours.bas`` → ``Opening hours``."""
    flat = name.removesuffix(".bas").replace("_", " ").replace("-", " ").strip()
    return flat[:1].upper() + flat[1:] if flat else "Tool"


def tool_sentence(name: str, result: str) -> str:
    """One line a person can read: ``<Tool>: <value>``."""
    return f"{tool_label(name)}: {readable(result)}"


def tool_sentences(results: Sequence[tuple[str, str]]) -> str:
    """The templated answer for the tools that ran (in order), one line each."""
    return "\n".join(tool_sentence(name, result) for name, result in results)


def readable(result: str) -> str:
    """A tool's result as text: JSON formatted for reading, other text as it is."""
    text = result.strip()
    if not text:
        return "done"
    if text[0] in "[{":
        try:
            return _value(json.loads(text))
        except (ValueError, RecursionError):
            pass
    return text


def shows_raw(answer: str, results: Sequence[tuple[str, str]]) -> bool:
    """The answer repeats a structured (JSON) result as it is."""
    for _, result in results:
        text = result.strip()
        if text[:1] in ("{", "[") and len(text) > 2 and text in answer:
            return True
    return False


def _value(value: Any) -> str:
    if isinstance(value, dict):
        pairs = list(value.items())[:MAX_ITEMS]
        return "; ".join(f"{tool_label(str(k)).lower()}: {_value(v)}" for k, v in pairs) \
            or "nothing"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value[:MAX_ITEMS]) or "nothing"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
