"""Answer markers map to the sources the prompt numbered, renumbered in order of use."""

from __future__ import annotations

from engine.kb import Hit, cite, context_block
from engine.kb.citations import snippet


def _hit(source: str, page: int | None, text: str) -> Hit:
    return Hit("c", source, page, 0, len(text), text, "", 1.0, 0.5, 0.01, 0.5)


HITS = [_hit("a.pdf", 3, "Alpha passage."), _hit("b.md", None, "Beta passage."),
        _hit("c.docx", 1, "Gamma passage.")]


def test_markers_are_renumbered_in_order_of_first_use() -> None:
    answer = cite("Gamma says so [3], alpha agrees [1][3] and [1, 2].", HITS)
    assert answer.text == "Gamma says so [1], alpha agrees [2][1] and [2][3]."
    assert [(c.n, c.source, c.page) for c in answer.citations] == [
        (1, "c.docx", 1), (2, "a.pdf", 3), (3, "b.md", None)]
    assert answer.citations[0].to_json() == {"n": 1, "source": "c.docx", "page": 1,
                                             "snippet": "Gamma passage."}
    assert "page" not in answer.citations[2].to_json()


def test_markers_that_point_nowhere_are_dropped() -> None:
    answer = cite("Invented [7]. Real [2]. Zero [0].", HITS)
    assert answer.text == "Invented. Real [1]. Zero."
    assert [c.source for c in answer.citations] == ["b.md"]


def test_sources_list_and_prompt_block() -> None:
    answer = cite("See [1].", HITS)
    assert answer.with_sources().endswith("Sources:\n[1] a.pdf, page 3")
    assert cite("No markers.", HITS).with_sources() == "No markers."
    block = context_block(HITS[:2])
    assert block == "[1] (a.pdf, page 3)\nAlpha passage.\n\n[2] (b.md)\nBeta passage."


def test_snippet_is_cut_at_a_word() -> None:
    text = "word " * 100
    short = snippet(text, 50)
    assert short.endswith("…") and len(short) <= 51 and "  " not in short
