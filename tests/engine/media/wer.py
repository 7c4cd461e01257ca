"""Word error rate: how far a transcript is from what was said, for speech tests and benches."""

from __future__ import annotations

import re
from collections.abc import Iterable


def words(text: str) -> list[str]:
    """Lower-cased words without punctuation ("Hello, world!" → ["hello", "world"])."""
    return re.findall(r"[a-z0-9']+", text.lower())


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Word substitutions + insertions + deletions turning ``reference`` into ``hypothesis``."""
    row = list(range(len(hypothesis) + 1))
    for i, expected in enumerate(reference, 1):
        diagonal, row[0] = row[0], i
        for j, heard in enumerate(hypothesis, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1,
                                           diagonal + (expected != heard))
    return row[-1]


def word_error_rate(pairs: Iterable[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs: total edits / total reference words."""
    edits = total = 0
    for reference, hypothesis in pairs:
        expected = words(reference)
        edits += edit_distance(expected, words(hypothesis))
        total += len(expected)
    return edits / total if total else 0.0
