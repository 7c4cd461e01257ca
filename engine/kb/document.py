"""Values that flow through ingestion: extracted blocks, the document text and its chunks.

Extraction turns a file into :class:`Block` values (a heading, a paragraph, a table row...),
each on a page when the format has pages. :class:`ExtractedDocument` joins them into one text
and remembers where each block starts, so a chunk can carry an exact character span into that
text together with its page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

BLOCK_SEPARATOR = "\n\n"


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    PAGE_BREAK = "page"
    """Nothing to index: marks that the next block starts a new page or slide."""


@dataclass(frozen=True, slots=True)
class Block:
    """One structural unit of a document. ``level`` is 1..6 for headings, else 0."""

    text: str
    kind: BlockKind = BlockKind.PARAGRAPH
    page: int | None = None
    level: int = 0


def heading(text: str, level: int = 1, page: int | None = None) -> Block:
    return Block(text, BlockKind.HEADING, page, max(1, min(level, 6)))


def paragraph(text: str, page: int | None = None) -> Block:
    return Block(text, BlockKind.PARAGRAPH, page)


@dataclass(frozen=True, slots=True)
class PlacedBlock:
    """A block and the offset of its text in :attr:`ExtractedDocument.text`."""

    block: Block
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.block.text)


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """The text of one document and the blocks it is made of, in reading order."""

    text: str
    blocks: tuple[PlacedBlock, ...]
    title: str = ""

    @classmethod
    def from_blocks(cls, blocks: Sequence[Block], title: str = "") -> ExtractedDocument:
        """Join the non-empty blocks with blank lines, recording each one's offset."""
        placed: list[PlacedBlock] = []
        pieces: list[str] = []
        offset = 0
        for block in blocks:
            text = block.text.strip()
            if not text:
                continue
            if pieces:
                pieces.append(BLOCK_SEPARATOR)
                offset += len(BLOCK_SEPARATOR)
            cleaned = Block(text, block.kind, block.page, block.level)
            placed.append(PlacedBlock(cleaned, offset))
            pieces.append(text)
            offset += len(text)
        return cls("".join(pieces), tuple(placed), title)

    @property
    def pages(self) -> int:
        """How many distinct pages the blocks are on (0 for formats without pages)."""
        return len({p.block.page for p in self.blocks if p.block.page is not None})


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage to index: ``text == document.text[start:end]``, all on ``page``.

    ``context`` is the heading path above the passage ("Title > Section"); it is indexed and
    embedded with the passage but is not part of the span.
    """

    ordinal: int
    text: str
    start: int
    end: int
    page: int | None = None
    context: str = ""

    @property
    def indexed_text(self) -> str:
        """What the embedder and the full-text index see."""
        return f"{self.context}\n{self.text}" if self.context else self.text


@dataclass(frozen=True, slots=True)
class ChunkingOptions:
    """Sizes in characters. Defaults: 1000-character chunks overlapping by 200."""

    size: int = 1000
    overlap: int = 200
    min_size: int = 1
    """Chunks shorter than this (after stripping) are dropped; headings alone stay findable."""

    def __post_init__(self) -> None:
        if self.size < 50:
            raise ValueError("chunk size must be at least 50 characters")
        if not 0 <= self.overlap < self.size // 2 + 1:
            raise ValueError("chunk overlap must be between 0 and half the chunk size")
