"""Structure-aware chunking: passages that follow headings, paragraphs and pages.

A document is cut into *sections*: a heading starts a new one, and so does a new page. A chunk
never crosses a section boundary, so a passage is about one thing and cites one page. Inside a
section the text is split into sentences (words for a sentence longer than a chunk) and
packed greedily up to ``size`` characters; consecutive chunks share whole sentences up to
``overlap`` characters, so a fact cut at a boundary is still whole in one of them. Every chunk
is an exact span of the document text, and carries its heading path as context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from engine.kb.document import (
    BlockKind,
    Chunk,
    ChunkingOptions,
    ExtractedDocument,
    PlacedBlock,
)

_SENTENCE_END = re.compile(r"[.!?…。][\"')\]]*(\s+)|(\n+)")
MAX_CONTEXT_CHARS = 300


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int


@dataclass
class _Section:
    context: str
    page: int | None
    spans: list[_Span]


DEFAULT_OPTIONS = ChunkingOptions()


def chunk_document(document: ExtractedDocument,
                   options: ChunkingOptions = DEFAULT_OPTIONS) -> list[Chunk]:
    """The chunks of ``document``, in reading order, numbered from 0."""
    chunks: list[Chunk] = []
    for section in _sections(document):
        for span in _pack(_atoms(document.text, section.spans, options.size), options):
            text = document.text[span.start:span.end]
            if len(text.strip()) >= options.min_size:
                chunks.append(Chunk(len(chunks), text, span.start, span.end, section.page,
                                    section.context))
    return chunks


def _sections(document: ExtractedDocument) -> Iterator[_Section]:
    headings: list[tuple[int, PlacedBlock]] = []
    current: _Section | None = None
    pending_heading: PlacedBlock | None = None
    for placed in document.blocks:
        block = placed.block
        if block.kind is BlockKind.PAGE_BREAK:
            continue
        if block.kind is BlockKind.HEADING:
            if current is not None:
                yield current
                current = None
            if pending_heading is not None and pending_heading.block.level >= block.level:
                # A heading with neither text nor sub-sections: index the heading itself.
                yield _Section(_context(document.title, headings[:-1]), pending_heading.block.page,
                               [_Span(pending_heading.start, pending_heading.end)])
            headings = [(level, h) for level, h in headings if level < block.level]
            headings.append((block.level, placed))
            pending_heading = placed
            continue
        if current is not None and current.page != block.page:
            yield current
            current = None
        if current is None:
            current = _Section(_context(document.title, headings), block.page, [])
        current.spans.append(_Span(placed.start, placed.end))
        pending_heading = None
    if current is not None:
        yield current
    if pending_heading is not None:
        yield _Section(_context(document.title, headings[:-1]), pending_heading.block.page,
                       [_Span(pending_heading.start, pending_heading.end)])


def _context(title: str, headings: list[tuple[int, PlacedBlock]]) -> str:
    parts = [h.block.text for _, h in headings]
    if title and (not parts or parts[0] != title):
        parts.insert(0, title)
    context = " > ".join(" ".join(part.split()) for part in parts)
    return context[:MAX_CONTEXT_CHARS]


def _atoms(text: str, spans: list[_Span], size: int) -> list[_Span]:
    """Sentences of each paragraph; a sentence longer than ``size`` is cut between words."""
    atoms: list[_Span] = []
    for span in spans:
        start = span.start
        for match in _SENTENCE_END.finditer(text, span.start, span.end):
            gap = 1 if match.group(1) is not None else 2
            atoms.extend(_words(text, start, match.start(gap), size))
            start = match.end()
        atoms.extend(_words(text, start, span.end, size))
    return atoms


def _words(text: str, start: int, end: int, size: int) -> Iterator[_Span]:
    while end - start > size:
        cut = text.rfind(" ", start + 1, start + size)
        cut = cut if cut > start else start + size
        yield _Span(start, cut)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start and text[start:end].strip():
        yield _Span(start, end)


def _pack(atoms: list[_Span], options: ChunkingOptions) -> Iterator[_Span]:
    """Greedy packing of whole atoms; the next chunk re-uses trailing atoms up to ``overlap``."""
    first = 0
    while first < len(atoms):
        last = first
        while last + 1 < len(atoms) and atoms[last + 1].end - atoms[first].start <= options.size:
            last += 1
        yield _Span(atoms[first].start, atoms[last].end)
        if last + 1 >= len(atoms):
            return
        following = last + 1
        while (following - 1 > first
               and atoms[last].end - atoms[following - 1].start <= options.overlap):
            following -= 1
        first = following
