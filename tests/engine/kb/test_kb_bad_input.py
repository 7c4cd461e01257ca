"""Units behind the bad-input defences: the binary sniff, the size cap setting and the
piecewise reading of long texts."""

from __future__ import annotations

import asyncio
import codecs
import itertools
import random
from pathlib import Path

import pytest

from engine.kb import HashingEmbedder, IngestReport, KnowledgeBase
from engine.kb.document import ChunkingOptions
from engine.kb.errors import ExtractionError
from engine.kb.extract import extract
from engine.kb.extract.sniff import BINARY_CONTENT, looks_binary
from engine.kb.longdoc import LongDocument, file_digest, text_pieces
from engine.kb.reader import IndexStats
from engine.kb.settings import DEFAULT_MAX_DOCUMENT_MB, MB, KbOptions, max_document_bytes
from engine.kb.sources import SourceItem, content_hash


@pytest.mark.parametrize("data", [
    b"plain ASCII text.\n\nSecond paragraph.",
    "Ünïcödé — “quotes” and emoji 🎉".encode(),
    "Café crème, señor: 3 €".encode("cp1252"),
    "UTF-16 with a byte-order mark".encode("utf-16"),
    b"\x1b[31mred\x1b[0m terminal log line\tTAB\r\n" * 20,
    "é".encode() * 4095 + "é".encode()[:1],  # a character cut at the end of the sniff window
    b"",
])
def test_text_is_not_binary(data: bytes) -> None:
    assert not looks_binary(data)


@pytest.mark.parametrize("data", [
    random.Random(1).randbytes(8192),
    b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(4000),
    b"text then a NUL\x00 byte",
    bytes(range(1, 32)) * 10,
])
def test_binary_is_binary(data: bytes) -> None:
    assert looks_binary(data)


def test_extract_refuses_binary_under_a_text_extension() -> None:
    with pytest.raises(ExtractionError, match=BINARY_CONTENT):
        extract("photo.md", random.Random(3).randbytes(100_000))
    assert extract("notes.md", b"# Notes\n\nfine").text == "Notes\n\nfine"


@pytest.mark.parametrize(("value", "expected"), [
    (None, DEFAULT_MAX_DOCUMENT_MB * MB), ("8", 8 * MB), ("0.5", MB // 2),
    ("nan", DEFAULT_MAX_DOCUMENT_MB * MB), ("1e309", DEFAULT_MAX_DOCUMENT_MB * MB),
    ("-3", DEFAULT_MAX_DOCUMENT_MB * MB), ("lots", DEFAULT_MAX_DOCUMENT_MB * MB),
])
def test_max_document_setting(value: str | None, expected: int) -> None:
    config = {} if value is None else {"kb-max-document-mb": value}
    assert max_document_bytes(config) == expected
    assert KbOptions.from_config(config).max_file_bytes == expected


def test_text_pieces_cut_at_paragraphs_and_keep_every_character(tmp_path: Path) -> None:
    paragraphs = [f"Paragraph {i} " + "word " * (i % 40) for i in range(3000)]
    text = "\n\n".join(paragraphs)
    path = tmp_path / "long.txt"
    path.write_bytes(codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode())

    pieces = list(text_pieces(path, size=4096))

    assert len(pieces) > 20
    assert "".join(pieces) == text
    assert all(piece.endswith("\n\n") for piece in pieces[:-1])


def test_text_pieces_of_one_endless_line(tmp_path: Path) -> None:
    path = tmp_path / "line.txt"
    path.write_bytes(b"x" * 10_000)
    pieces = list(text_pieces(path, size=1024))
    assert "".join(pieces) == "x" * 10_000 and max(map(len, pieces)) <= 2048


def test_long_document_chunks_are_numbered_spans_and_hash_matches(tmp_path: Path) -> None:
    path = tmp_path / "manual.txt"
    text = "\n\n".join(f"Section {i}. " + "Some sentence here. " * 30 for i in range(400))
    path.write_text(text + "\fLast page.")
    data = path.read_bytes()
    digest, form_feed = file_digest(path)
    assert digest == content_hash(data) and form_feed
    item = SourceItem("manual.txt", "manual.txt", len(data), 1, path.read_bytes, path=path)
    document = LongDocument(item, digest, ChunkingOptions(), form_feed=True)

    chunks = [chunk for part in document.parts() for chunk in part]

    assert [c.ordinal for c in chunks] == list(range(len(chunks))) == list(
        range(document.chunks))
    assert all(c.end > c.start for c in chunks)
    assert all(a.start < b.start for a, b in itertools.pairwise(chunks))
    assert document.pages == 2 and chunks[-1].page == 2 and chunks[0].page == 1
    again = [chunk for part in LongDocument(item, digest, ChunkingOptions(),
                                            form_feed=True).parts() for chunk in part]
    assert again == chunks  # a resumed run regenerates exactly the same chunks


def test_a_long_corrupt_document_fails_alone_and_leaves_no_partial_row(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\n" + random.Random(4).randbytes(4_300_000))
    (folder / "big.md").write_bytes(b"# Title\n\n" + bytes(4_300_000))
    (folder / "ok.txt").write_text("Still indexed.")
    embedder = HashingEmbedder()

    async def run() -> tuple[IngestReport, IndexStats]:
        async with KnowledgeBase(tmp_path / "kb", embedder) as kb:
            report = await kb.ingest(folder)
            return report, (await kb.stats())[0].stats

    report, stats = asyncio.run(run())
    embedder.close()
    reasons = {f.source: f.reason for f in report.failed}
    assert set(reasons) == {"scan.pdf", "big.md"} and reasons["big.md"] == BINARY_CONTENT
    assert report.indexed == ("ok.txt",) and stats.documents == 1 and stats.partial == 0
    assert {source for source, _ in stats.problems} == {"scan.pdf", "big.md"}
