from __future__ import annotations

import pytest

from tests.engine.media.wer import edit_distance, word_error_rate, words


def test_words_ignore_case_and_punctuation() -> None:
    assert words("Hello, World! It's 9.") == ["hello", "world", "it's", "9"]


@pytest.mark.parametrize(("reference", "hypothesis", "distance"), [
    ("a b c", "a b c", 0),
    ("a b c", "a x c", 1),     # substitution
    ("a b c", "a b c d", 1),   # insertion
    ("a b c", "a c", 1),       # deletion
    ("a b c", "", 3),
    ("", "a b", 2),
    ("the cat sat", "cat sat the", 2),
])
def test_edit_distance(reference: str, hypothesis: str, distance: int) -> None:
    assert edit_distance(reference.split(), hypothesis.split()) == distance


def test_corpus_rate_weighs_by_reference_words() -> None:
    assert word_error_rate([("one two three four", "one two three four"),
                            ("five six", "five")]) == pytest.approx(1 / 6)
    assert word_error_rate([]) == 0.0
