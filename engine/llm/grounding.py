"""Grounded knowledge-base answers (issue 12): how much an answer rests on the passages it was
given, which passages it used, and the extractive answer Hearth gives instead of inventing.

Everything here is lexical and deterministic: words are lower-cased ``\\w+`` tokens with a
light plural fold, stop words left out. An answer is *grounded* when most of its content words
appear in one passage; a passage is *used* when the answer cites it as ``[n]``, or, when the
answer cites nothing, when one of the answer's sentences is mostly made of its words. The
extractive answer is the best passage's most relevant sentences, scored against the question
with BM25 over the sentences of all passages (each sentence a document).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Protocol, TypeVar

from engine.kb.stopwords import STOPWORDS


class Passage(Protocol):
    """What grounding reads of a passage (``engine.llm.prompt.Passage`` has it). Kept a
    protocol so BASIC's ``THINK KB`` can use this module without the LLM layer."""

    @property
    def content(self) -> str: ...


class Citation(Protocol):
    """What grounding reads of a citation (``engine.llm.prompt.Citation`` has it)."""

    @property
    def n(self) -> int: ...

    @property
    def source(self) -> str: ...

    @property
    def page(self) -> int | None: ...


CitationT = TypeVar("CitationT", bound=Citation)

ANSWER_MODE_KEY = "kb-answer-mode"
GROUNDED = 0.5
"""Share of an answer's content words one passage must hold for the answer to be grounded."""
SENTENCE_USED = 0.6
"""Share of a sentence's content words a passage must hold to count as used by it."""
MAX_SENTENCES = 2
NOT_FOUND = "The documents I have do not answer that."
BM25_K1 = 1.2
BM25_B = 0.75

_WORD = re.compile(r"\w+", re.UNICODE)
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9*])")
_REFUSALS = (
    "i don't know", "i do not know", "i dont know", "not mentioned", "no information",
    "cannot answer", "can't answer", "can not answer", "unable to answer", "do not answer",
    "does not say", "doesn't say", "not provided", "no mention", "i'm sorry", "i am sorry",
    "not sure", "don't have", "do not have", "not specified", "not stated",
)


class AnswerMode(StrEnum):
    """``kb-answer-mode``: ``auto`` lets the model answer and falls back to the extractive
    answer when it is too slow, fails, declines or strays from the passages; ``generative``
    always shows the model's answer; ``extractive`` never asks the model."""

    AUTO = "auto"
    GENERATIVE = "generative"
    EXTRACTIVE = "extractive"


def answer_mode(value: str | None) -> AnswerMode:
    """The mode a config value names; anything else is ``auto``."""
    try:
        return AnswerMode((value or "").strip().lower())
    except ValueError:
        return AnswerMode.AUTO


@dataclass(frozen=True, slots=True)
class Extract:
    """An extractive answer: sentences of ``passages[index]`` (0-based)."""

    text: str
    index: int
    score: float


def words(text: str) -> list[str]:
    """Lower-case words, plurals folded (``fees`` → ``fee``), citation markers left out."""
    return [_fold(w) for w in _WORD.findall(_MARKER.sub(" ", text).lower())]


def content_words(text: str) -> set[str]:
    """The words that carry meaning: no stop words (all words if only stop words)."""
    every = set(words(text))
    return {w for w in every if w not in STOPWORDS} or every


def sentences(text: str) -> list[str]:
    """The sentences of a passage: lines, then sentence ends; headings and rules dropped."""
    found: list[str] = []
    for line in text.splitlines():
        line = line.strip().lstrip("-*•>").strip()
        if not line or line.startswith("#") or not _WORD.search(line):
            continue
        found.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return found


def overlap(answer: str, passage: str, question: str = "") -> float:
    """Share of the answer's content words found in the passage, the words it shares with
    the question left out (echoing the question proves nothing); 0 when none remain."""
    terms = content_words(answer) - content_words(question) if question else \
        content_words(answer)
    if not terms:
        return 0.0
    return len(terms & set(words(passage))) / len(terms)


def _numbers_found(answer: str, passage: str) -> bool:
    """Every number of the answer is in the passage, with the word that follows it when that
    word means something ("20 euros" is not grounded by "20 cents"): invented figures are
    the worst kind of invention."""
    said, source = words(answer), words(passage)
    if not {w for w in said if w.isdigit()} <= set(source):
        return False
    pairs = set(pairwise(source))
    return all((a, b) in pairs for a, b in pairwise(said)
               if a.isdigit() and b.isalpha() and b not in STOPWORDS)


def declines(answer: str) -> bool:
    """The answer is empty or says it cannot answer."""
    flat = " ".join(answer.lower().replace("’", "'").split())
    return not _WORD.search(flat) or any(phrase in flat for phrase in _REFUSALS)


def is_grounded(answer: str, passages: Sequence[Passage], question: str = "") -> bool:
    """The answer does not decline, and one passage holds every number of it and most of its
    content words beyond those of the question."""
    if declines(answer):
        return False
    return any(overlap(answer, p.content, question) >= GROUNDED
               and _numbers_found(answer, p.content) for p in passages)


def used_citations(answer: str, citations: Sequence[CitationT], passages: Sequence[Passage],
                   question: str = "") -> tuple[CitationT, ...]:
    """The citations the answer used: those it marks ``[n]``; when it marks none, those whose
    passage (``passages[n - 1]``) holds most of one of its sentences (the question's words
    left out). One per source and page, in citation order."""
    numbers = {int(n) for group in _MARKER.findall(answer) for n in group.split(",")}
    chosen = [c for c in citations if c.n in numbers]
    if not chosen and passages:
        for sentence in sentences(answer) or [answer]:
            scores = [(overlap(sentence, p.content, question), n)
                      for n, p in enumerate(passages, 1)]
            best, n = max(scores, key=lambda s: (s[0], -s[1]))
            if best >= SENTENCE_USED:
                numbers.add(n)
        chosen = [c for c in citations if c.n in numbers]
    return unique(chosen)


def unique(citations: Sequence[CitationT]) -> tuple[CitationT, ...]:
    """One citation per source and page (the first)."""
    seen: set[tuple[str, int | None]] = set()
    kept = []
    for citation in citations:
        if (citation.source, citation.page) not in seen:
            seen.add((citation.source, citation.page))
            kept.append(citation)
    return tuple(kept)


def extract(question: str, passages: Sequence[Passage],
            max_sentences: int = MAX_SENTENCES) -> Extract | None:
    """The best passage's most relevant sentences (in their order), or None when no sentence
    shares a content word with the question."""
    query = content_words(question)
    table = [(i, j, s, words(s)) for i, p in enumerate(passages)
             for j, s in enumerate(dict.fromkeys(sentences(p.content)))]
    if not table or not query:
        return None
    scores = _bm25(query, [w for *_, w in table])
    best = max(range(len(table)), key=lambda k: (scores[k], -table[k][0], -table[k][1]))
    if scores[best] <= 0:
        return None
    index = table[best][0]
    mine = [k for k in range(len(table)) if table[k][0] == index and scores[k] > 0]
    mine.sort(key=lambda k: -scores[k])
    picked = [k for k in mine[:max_sentences] if scores[k] >= scores[best] / 2]
    picked.sort(key=lambda k: table[k][1])
    return Extract(" ".join(table[k][2] for k in picked), index, scores[best])


def extractive_answer(question: str, passages: Sequence[Passage],
                      citations: Sequence[CitationT]) -> tuple[str, tuple[CitationT, ...]]:
    """The extractive answer with its ``[n]`` marker and its one citation, or
    :data:`NOT_FOUND` and no citation."""
    found = extract(question, passages)
    if found is None:
        return NOT_FOUND, ()
    citation = next((c for c in citations if c.n == found.index + 1), None)
    if citation is None:
        return found.text, ()
    return f"{found.text} [{citation.n}]", (citation,)


def _bm25(query: set[str], documents: Sequence[Sequence[str]]) -> list[float]:
    count = len(documents)
    average = sum(len(d) for d in documents) / count or 1.0
    frequency = Counter(w for d in documents for w in set(d) if w in query)
    idf = {w: math.log(1 + (count - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}
    scores = []
    for document in documents:
        tf = Counter(w for w in document if w in idf)
        norm = BM25_K1 * (1 - BM25_B + BM25_B * len(document) / average)
        scores.append(sum(idf[w] * n * (BM25_K1 + 1) / (n + norm) for w, n in tf.items()))
    return scores


def _fold(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
