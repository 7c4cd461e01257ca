"""Reasoning sections are removed from whole texts and from streams split anywhere."""

from __future__ import annotations

import pytest

from engine.llm.think import ThinkFilter, strip_think

CASES = [
    ("<think>plan</think>Hello", "Hello"),
    ("Hi <think>x</think>there", "Hi there"),
    ("<THINK>a</Think>\n\nAnswer", "Answer"),
    ("no tags at all", "no tags at all"),
    ("Answer <think>never closed", "Answer"),
    ("a < b and c <thin d", "a < b and c <thin d"),
    ("<think>1</think>x<think>2</think>y", "xy"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_strip_think(text: str, expected: str) -> None:
    assert strip_think(text) == expected


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_filter_gives_the_same_text_for_every_split(text: str, expected: str) -> None:
    for at in range(len(text) + 1):
        for size in (1, 3):
            pieces = [text[:at]] + [text[i:i + size] for i in range(at, len(text), size)]
            think = ThinkFilter()
            visible = "".join(think.feed(p) for p in pieces) + think.flush()
            assert visible.strip() == expected, (at, size)
