"""Suggestions for misspelt words: "did you mean TALK?" (docs/basic-compatibility.md D4).

A candidate is suggested when it is the single closest word by edit distance (insertions,
deletions, substitutions and swaps of two neighbours each count 1) within a bound that grows
with the word's length: 1 for words up to 4 letters, 2 beyond. Ties are broken by the order
of the candidates, so pass the most common words first.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.basic.keywords.catalog import STATEMENTS, STRUCTURE, VALUE_KEYWORDS

# the statement words, the most used first (ties go to the first candidate)
_COMMON = ("TALK", "HEAR", "SET", "IF", "END", "FOR", "NEXT", "PRINT", "SAVE", "FIND",
           "CALL", "RETURN", "WHILE", "WEND", "SELECT", "CASE", "ELSE", "PARAM")
KEYWORD_WORDS: tuple[str, ...] = tuple(dict.fromkeys(
    _COMMON + tuple(sorted({p.split()[0] for p in (*STATEMENTS, *VALUE_KEYWORDS)} | STRUCTURE))))


def distance(a: str, b: str) -> int:
    """The optimal string alignment distance between ``a`` and ``b``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to ``word`` (case-insensitive), or None when none is near."""
    upper = word.upper()
    bound = 1 if len(upper) <= 4 else 2
    best: str | None = None
    best_distance = bound + 1
    for candidate in candidates:
        if candidate == upper:
            return None  # the word is one of them: it is not misspelt
        if abs(len(candidate) - len(upper)) > bound:
            continue
        d = distance(upper, candidate)
        if d < best_distance:
            best, best_distance = candidate, d
    return best


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean TALK?"`` or ``""``."""
    near = closest(word, candidates)
    return f"; did you mean {near}?" if near else ""


def keyword_hint(word: str) -> str:
    """``"; did you mean TALK?"`` for a word that is nearly a statement keyword."""
    return suggestion(word, KEYWORD_WORDS)
