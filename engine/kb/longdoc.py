"""Long documents: read, hashed and chunked in pieces, written in parts.

A file of at least :data:`LONG_DOCUMENT_BYTES` is not read into memory whole. It is hashed
in :data:`READ_BYTES` pieces; plain text (``.txt``, ``.text``, ``.log``) is also decoded and
chunked piece by piece, each piece cut at a paragraph break (a blank line; a line break or,
failing that, any point in a piece of one endless line). Chunks never cross a piece boundary,
so a long text may be cut into slightly different chunks than the same text read whole; the
cut points depend only on the file, so a resumed run produces exactly the same chunks.
Other formats are extracted whole (their size is capped by ``kb-max-document-mb``) and only
their chunks are handed out in parts.

:meth:`LongDocument.parts` yields lists of at most :data:`PART_CHUNKS` chunks, numbered from
0 across the document; ingestion embeds and commits each part in its own transaction.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from engine.kb.chunking import chunk_document
from engine.kb.document import (
    BLOCK_SEPARATOR,
    Chunk,
    ChunkingOptions,
    ExtractedDocument,
    paragraph,
)
from engine.kb.extract import extract, suffix_of
from engine.kb.extract.sniff import SNIFF_BYTES
from engine.kb.sources import SourceItem

LONG_DOCUMENT_BYTES = 4 * 1024 * 1024
PART_CHUNKS = 256
READ_BYTES = 1024 * 1024
STREAMED_SUFFIXES = frozenset({"txt", "text", "log"})
_FORM_FEED = 0x0C
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def is_long(item: SourceItem) -> bool:
    """Whether ``item`` takes the long-document path (a large file on disk)."""
    return item.path is not None and item.size >= LONG_DOCUMENT_BYTES


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    with path.open("rb") as file:
        return file.read(size)


def file_digest(path: Path) -> tuple[str, bool]:
    """SHA-256 of the file (same as :func:`~engine.kb.sources.content_hash` of its bytes)
    and whether it holds a form feed (then plain text numbers its pages)."""
    digest = hashlib.sha256()
    form_feed = False
    with path.open("rb") as file:
        while piece := file.read(READ_BYTES):
            digest.update(piece)
            form_feed = form_feed or _FORM_FEED in piece
    return digest.hexdigest(), form_feed


class LongDocument:
    """The chunks of one long document, part by part; ``pages`` and ``title`` are known once
    :meth:`parts` is exhausted."""

    def __init__(self, item: SourceItem, sha256: str, chunking: ChunkingOptions, *,
                 form_feed: bool = False) -> None:
        self.item = item
        self.sha256 = sha256
        self.chunking = chunking
        self.form_feed = form_feed
        self.pages = 0
        self.title = ""
        self.chunks = 0

    def parts(self) -> Iterator[list[Chunk]]:
        buffered: list[Chunk] = []
        for chunk in self._chunks():
            buffered.append(chunk)
            self.chunks += 1
            if len(buffered) >= PART_CHUNKS:
                yield buffered
                buffered = []
        if buffered:
            yield buffered

    def _chunks(self) -> Iterator[Chunk]:
        if self.item.path is not None and suffix_of(self.item.name) in STREAMED_SUFFIXES:
            yield from self._streamed_chunks(self.item.path)
            return
        document = extract(self.item.name, self.item.read())
        self.pages, self.title = document.pages, document.title
        yield from chunk_document(document, self.chunking)

    def _streamed_chunks(self, path: Path) -> Iterator[Chunk]:
        ordinal = 0
        base = 0
        page = 1
        pages: set[int] = set()
        for piece in text_pieces(path):
            blocks = []
            for number, part in enumerate(piece.split("\f")):
                if number:
                    page += 1
                for text in _paragraphs(part):
                    blocks.append(paragraph(text, page if self.form_feed else None))
            document = ExtractedDocument.from_blocks(blocks)
            if not document.text:
                continue
            pages.update(p.block.page for p in document.blocks if p.block.page is not None)
            for chunk in chunk_document(document, self.chunking):
                yield replace(chunk, ordinal=ordinal, start=chunk.start + base,
                              end=chunk.end + base)
                ordinal += 1
            base += len(document.text) + len(BLOCK_SEPARATOR)
        self.pages = len(pages)


def _paragraphs(text: str) -> list[str]:
    return _PARAGRAPH_BREAK.split(text)


def text_pieces(path: Path, size: int = READ_BYTES) -> Iterator[str]:
    """The file's text (decoded like :func:`~engine.kb.extract.text.decode_text`, newlines
    normalised) in pieces of about ``size`` characters, each ending at a paragraph break."""
    with path.open("rb") as file:
        data = file.read(size)
        decoder = codecs.getincrementaldecoder(_encoding(data))(errors="replace")
        pending = ""
        while True:
            final = not data
            pending += decoder.decode(data, final=final)
            if not final and pending.endswith("\r"):
                held, pending = "\r", pending[:-1]  # "\r\n" may straddle two reads
            else:
                held = ""
            pending = pending.replace("\r\n", "\n").replace("\r", "\n")
            if final:
                if pending:
                    yield pending
                return
            cut = _cut(pending, size)
            if cut:
                yield pending[:cut]
                pending = pending[cut:]
            pending += held
            data = file.read(size)


def _cut(text: str, size: int) -> int:
    """Where to end a piece of ``text``: after its last blank line; 0 to read on first."""
    if len(text) < size:
        return 0
    for mark in ("\n\n", "\n", " "):
        at = text.rfind(mark)
        if at > 0:
            return at + len(mark)
    return len(text)


def _encoding(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"
