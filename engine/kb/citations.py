"""Citations: numbered sources for the prompt, and ``[n]`` markers of an answer mapped back.

The chat turn puts :func:`context_block` into the system prompt, so passage *n* is labelled
``[n]``; the model cites with ``[n]`` (also ``[1, 3]`` or ``[1][2]``). :func:`cite` maps the
markers of the answer to the hits, drops markers that point nowhere (a model inventing
``[7]`` out of 5 sources), and renumbers the rest 1, 2, 3 in order of first use, so the
reader sees tidy numbers and each maps to a file and page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.kb.search import Hit

_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
SNIPPET_CHARS = 240
_DROPPED = "\x00"


@dataclass(frozen=True, slots=True)
class Citation:
    """The shape of ``citations`` in a chat response (ARCHITECTURE.md §8)."""

    n: int
    source: str
    page: int | None
    snippet: str
    collection: str = ""
    start: int = 0
    end: int = 0

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"n": self.n, "source": self.source, "snippet": self.snippet}
        if self.page is not None:
            data["page"] = self.page
        return data


@dataclass(frozen=True, slots=True)
class CitedAnswer:
    text: str
    citations: tuple[Citation, ...]

    def with_sources(self) -> str:
        """The answer followed by a ``Sources`` list (for channels without rich citations)."""
        if not self.citations:
            return self.text
        lines = [f"[{c.n}] {c.source}" + (f", page {c.page}" if c.page is not None else "")
                 for c in self.citations]
        return self.text.rstrip() + "\n\nSources:\n" + "\n".join(lines)


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[:cut if cut > limit // 2 else limit].rstrip(",;:") + "…"


def context_block(hits: Sequence[Hit]) -> str:
    """Passages numbered for the prompt: ``[n] (source, page p)`` then the text."""
    parts = []
    for n, hit in enumerate(hits, start=1):
        heading = f" — {hit.context}" if hit.context else ""
        parts.append(f"[{n}] ({hit.label}{heading})\n{hit.text.strip()}")
    return "\n\n".join(parts)


def cite(answer: str, hits: Sequence[Hit]) -> CitedAnswer:
    """Map the answer's ``[n]`` markers (n counted from 1 over ``hits``) to citations."""
    renumbered: dict[int, int] = {}

    def replace(match: re.Match[str]) -> str:
        numbers = [int(part) for part in match.group(1).split(",")]
        kept = []
        for number in numbers:
            if 1 <= number <= len(hits):
                kept.append(renumbered.setdefault(number, len(renumbered) + 1))
        return "".join(f"[{n}]" for n in dict.fromkeys(kept)) or _DROPPED

    text = re.sub(rf"[ \t]*{_DROPPED}", "", _MARKERS.sub(replace, answer))
    citations = tuple(
        Citation(new, hits[old - 1].source, hits[old - 1].page, snippet(hits[old - 1].text),
                 hits[old - 1].collection, hits[old - 1].start, hits[old - 1].end)
        for old, new in renumbered.items())
    return CitedAnswer(text, citations)
