"""Chunks are exact spans, bounded in size, overlapping by whole sentences, and never cross a
heading or a page."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.kb.chunking import chunk_document
from engine.kb.document import (
    Block,
    BlockKind,
    ChunkingOptions,
    ExtractedDocument,
    heading,
    paragraph,
)

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]


def _sentences(count: int, seed: int = 0) -> str:
    out = []
    for i in range(count):
        length = 4 + (i * 7 + seed) % 15
        out.append(" ".join(WORDS[(i + j + seed) % len(WORDS)] for j in range(length)) + ".")
    return " ".join(out)


def test_spans_sizes_and_context() -> None:
    document = ExtractedDocument.from_blocks([
        heading("Guide"), paragraph(_sentences(30)),
        heading("Details", 2), paragraph(_sentences(20, 3)),
    ])
    chunks = chunk_document(document, ChunkingOptions(size=300, overlap=80))
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert document.text[chunk.start:chunk.end] == chunk.text
        assert len(chunk.text) <= 300
    assert {c.context for c in chunks} == {"Guide", "Guide > Details"}
    details = [c for c in chunks if c.context == "Guide > Details"]
    assert details[0].text.startswith(WORDS[3])  # the section starts its own chunk
    assert chunks[-1].indexed_text.startswith("Guide > Details\n")


def test_consecutive_chunks_overlap_by_whole_sentences() -> None:
    document = ExtractedDocument.from_blocks([paragraph(_sentences(40))])
    chunks = chunk_document(document, ChunkingOptions(size=300, overlap=120))
    assert len(chunks) > 3
    for before, after in itertools.pairwise(chunks):
        assert after.start < before.end, "consecutive chunks share text"
        assert before.end - after.start <= 120
        assert document.text[after.start - 2:after.start] == ". "  # starts at a sentence


def test_no_overlap_when_disabled() -> None:
    document = ExtractedDocument.from_blocks([paragraph(_sentences(40))])
    chunks = chunk_document(document, ChunkingOptions(size=300, overlap=0))
    for before, after in itertools.pairwise(chunks):
        assert after.start >= before.end


def test_chunks_never_cross_pages() -> None:
    document = ExtractedDocument.from_blocks(
        [paragraph("Short one.", page=1), paragraph("Short two.", page=2)])
    chunks = chunk_document(document)
    assert [(c.text, c.page) for c in chunks] == [("Short one.", 1), ("Short two.", 2)]


def test_long_sentence_is_cut_between_words() -> None:
    text = " ".join(["word"] * 500)  # 2,499 characters, no sentence end
    chunks = chunk_document(ExtractedDocument.from_blocks([paragraph(text)]),
                            ChunkingOptions(size=200, overlap=0))
    assert all(len(c.text) <= 200 for c in chunks)
    assert all(not c.text.startswith(" ") and c.text.endswith("word") for c in chunks)
    assert sum(c.text.count("word") for c in chunks) == 500


def test_heading_without_text_is_still_indexed() -> None:
    document = ExtractedDocument.from_blocks([heading("Book"), heading("Empty part", 2),
                                              heading("Next part", 2), paragraph("Body.")])
    chunks = chunk_document(document)
    assert [(c.text, c.context) for c in chunks] == [("Empty part", "Book"),
                                                     ("Body.", "Book > Next part")]


def test_options_are_validated() -> None:
    with pytest.raises(ValueError):
        ChunkingOptions(size=10)
    with pytest.raises(ValueError):
        ChunkingOptions(size=100, overlap=90)


_block = st.one_of(
    st.builds(paragraph, st.text(alphabet="ab .\n", min_size=1, max_size=400),
              st.sampled_from([None, 1, 2])),
    st.builds(heading, st.text(alphabet="H ", min_size=1, max_size=20), st.integers(1, 3)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_block, max_size=12), st.integers(60, 400), st.integers(0, 30))
def test_every_word_is_in_some_chunk(blocks: list[Block], size: int, overlap: int) -> None:
    """Paragraph text is in chunk spans; headings are in a span or a chunk's context."""
    document = ExtractedDocument.from_blocks(blocks)
    chunks = chunk_document(document, ChunkingOptions(size=size, overlap=overlap))
    covered = [False] * len(document.text)
    for chunk in chunks:
        assert document.text[chunk.start:chunk.end] == chunk.text
        assert len(chunk.text) <= size
        covered[chunk.start:chunk.end] = [True] * (chunk.end - chunk.start)
    for placed in document.blocks:
        if placed.block.kind is BlockKind.HEADING:
            name = " ".join(placed.block.text.split())
            assert any(name in c.context or name == " ".join(c.text.split()) for c in chunks) \
                or not chunks
            continue
        for offset, char in enumerate(placed.block.text):
            if not char.isspace():
                assert covered[placed.start + offset], (placed, offset)
