"""One collection's index: a SQLite file with chunks, FTS5 (BM25) and sqlite-vec vectors.

Schema (``schema_version`` 1)::

    meta(key, value)                       embedder, dimensions, chunking, generation
    documents(id, source UNIQUE, sha256, size, mtime_ns, title, pages, chunks, indexed_at)
    chunks(id, document_id, ordinal, page, start, end, context, text)
    chunks_fts  fts5(context, text)        contentless; rowid = chunks.id
    chunks_vocab fts5vocab(chunks_fts)     term → passages (for query pruning)
    chunks_vec  vec0(float[D], cosine)     rowid = chunks.id

A document is written in **one** ``BEGIN IMMEDIATE`` transaction: its old chunks leave the
three tables and the new ones enter them together with the ``documents`` row carrying the
content hash. A crash (even SIGKILL) at any point leaves either the old or the new state, and
a document whose row is missing or carries another hash is simply indexed again. Each write
bumps ``generation``, which readers use to refresh their in-memory vector matrix.

A *long* document (see :mod:`engine.kb.ingest`) is written in parts instead, one transaction
each: :meth:`IndexWriter.begin_document` leaves an empty row marked partial (``size = -1``,
no hash, its hash and next chunk ordinal in the ``partial`` table), each
:meth:`IndexWriter.add_chunks` appends chunks and moves the next ordinal with them, and
:meth:`IndexWriter.finish_document` writes the real row. A crash between parts loses at most
the part being written; the next run resumes at the next ordinal, duplicating nothing.

A full disk raises :class:`~engine.storage.errors.DiskFull` (the transaction was rolled back).

Writers and readers use separate connections (WAL); :class:`IndexWriter` must only be used by
one thread at a time, the knowledge base gives it a dedicated one.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sqlean as sqlite3
import sqlite_vec

from engine.kb.document import Chunk
from engine.kb.embedders import Vectors
from engine.kb.errors import IndexStoreError
from engine.kb.terms import FTS_TOKENIZER
from engine.storage.db.sqlite_connection import is_disk_full
from engine.storage.errors import DiskFull

SCHEMA_VERSION = "1"
_VOCABULARY = ("CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab "
               "USING fts5vocab(chunks_fts, 'row')")
_PARTIAL = ("CREATE TABLE IF NOT EXISTS partial (document_id INTEGER PRIMARY KEY "
            "REFERENCES documents(id) ON DELETE CASCADE, sha256 TEXT NOT NULL, "
            "next_ordinal INTEGER NOT NULL)")
PROBLEMS_KEY = "problems"
"""``meta`` key: JSON ``[[source, reason], ...]`` of the documents the last run could not
index (links out of the folder, binary content, over the size cap, unreadable)."""
PARTIAL_SIZE = -1
"""``documents.size`` of a long document still being written (never a file's size)."""


@dataclass(frozen=True, slots=True)
class DocumentRow:
    source: str
    sha256: str
    size: int
    mtime_ns: int
    chunks: int
    pages: int = 0
    title: str = ""


@dataclass(frozen=True, slots=True)
class ChunkRow:
    id: int
    source: str
    page: int | None
    start: int
    end: int
    context: str
    text: str


def connect(path: Path, *, readonly: bool = False) -> Any:
    """A connection with sqlite-vec loaded, WAL, and autocommit (transactions are explicit)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                               timeout=30)
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        if readonly:
            conn.execute("PRAGMA query_only=ON")
    except (sqlite3.Error, OSError) as exc:
        if is_disk_full(exc):
            raise DiskFull("the knowledge-base index could not be created") from exc
        raise IndexStoreError(f"cannot open the index {path}: {exc}") from exc
    return conn


def meta(conn: Any, key: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # no schema yet
        return None
    return None if row is None else str(row[0])


def generation(conn: Any) -> int:
    return int(meta(conn, "generation") or 0)


class IndexWriter:
    """Schema management and per-document transactional writes for one index file."""

    def __init__(self, path: Path, embedder_name: str, dimensions: int,
                 chunking: str = "") -> None:
        self.path = path
        self.conn = connect(path)
        self.rebuilt = self._ensure_schema(embedder_name, dimensions, chunking)

    def close(self) -> None:
        self.conn.close()

    def _ensure_schema(self, embedder_name: str, dimensions: int, chunking: str) -> bool:
        """Create the tables; start over when the embedder or the chunking changed (every
        stored vector or chunk would be wrong). True if an existing index was started over."""
        wanted = {"schema_version": SCHEMA_VERSION, "embedder": embedder_name,
                  "dimensions": str(dimensions), "chunking": chunking}
        stored = {key: meta(self.conn, key) for key in wanted}
        if stored == wanted:
            with self.transaction():  # tables of indexes written before they existed
                self.conn.execute(_VOCABULARY)
                self.conn.execute(_PARTIAL)
            return False
        with self.transaction():
            for table in ("chunks_vec", "chunks_vocab", "chunks_fts", "partial", "chunks",
                          "documents", "meta"):
                self.conn.execute(f"DROP TABLE IF EXISTS {table}")
            self._create(dimensions)
            self.conn.executemany("INSERT INTO meta VALUES (?, ?)", list(wanted.items()))
        return stored["schema_version"] is not None

    def _create(self, dimensions: int) -> None:
        execute = self.conn.execute
        execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        execute("INSERT INTO meta VALUES ('generation', '0')")
        execute("""CREATE TABLE documents (
            id INTEGER PRIMARY KEY, source TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL,
            size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, title TEXT NOT NULL DEFAULT '',
            pages INTEGER NOT NULL DEFAULT 0, chunks INTEGER NOT NULL, indexed_at REAL NOT NULL)""")
        execute("""CREATE TABLE chunks (
            id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL
                REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL, page INTEGER, start INTEGER NOT NULL,
            "end" INTEGER NOT NULL, context TEXT NOT NULL, text TEXT NOT NULL)""")
        execute("CREATE INDEX chunks_by_document ON chunks(document_id)")
        execute(f"""CREATE VIRTUAL TABLE chunks_fts USING fts5(context, text, content='',
            contentless_delete=1, tokenize='{FTS_TOKENIZER}')""")
        execute(_VOCABULARY)
        execute(_PARTIAL)
        execute(f"""CREATE VIRTUAL TABLE chunks_vec USING vec0(
            embedding float[{int(dimensions)}] distance_metric=cosine)""")

    def set_meta(self, key: str, value: str) -> None:
        if meta(self.conn, key) == value:
            return
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def documents(self) -> dict[str, DocumentRow]:
        rows = self.conn.execute(
            "SELECT source, sha256, size, mtime_ns, chunks, pages, title FROM documents")
        return {row[0]: DocumentRow(*row) for row in rows}

    def replace_document(self, document: DocumentRow, chunks: Sequence[Chunk],
                         vectors: Vectors) -> None:
        """Swap the document's chunks for ``chunks`` (with their vectors) atomically."""
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk is required")
        with self.transaction():
            self._delete(document.source)
            doc_id = self.conn.execute(
                "INSERT INTO documents (source, sha256, size, mtime_ns, title, pages, chunks, "
                "indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (document.source, document.sha256, document.size, document.mtime_ns,
                 document.title, document.pages, len(chunks), time.time())).lastrowid
            self._insert_chunks(doc_id, chunks, vectors)
            self._bump()

    def _insert_chunks(self, doc_id: int, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        for chunk, vector in zip(chunks, vectors, strict=True):
            chunk_id = self.conn.execute(
                'INSERT INTO chunks (document_id, ordinal, page, start, "end", context, text)'
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc_id, chunk.ordinal, chunk.page, chunk.start, chunk.end, chunk.context,
                 chunk.text)).lastrowid
            self.conn.execute("INSERT INTO chunks_fts (rowid, context, text) VALUES (?, ?, ?)",
                              (chunk_id, chunk.context, chunk.text))
            self.conn.execute("INSERT INTO chunks_vec (rowid, embedding) VALUES (?, ?)",
                              (chunk_id, np.ascontiguousarray(vector, np.float32).tobytes()))

    # -- long documents: written in parts, each part its own transaction --------------------

    def partial(self, source: str) -> tuple[str, int] | None:
        """(content hash, next chunk ordinal) of a long document left half-written."""
        row = self.conn.execute(
            "SELECT p.sha256, p.next_ordinal FROM partial p JOIN documents d "
            "ON d.id = p.document_id WHERE d.source = ?", (source,)).fetchone()
        return None if row is None else (str(row[0]), int(row[1]))

    def begin_document(self, source: str, sha256: str) -> None:
        """Replace the document by an empty one marked partial (content hash ``sha256``)."""
        with self.transaction():
            self._delete(source)
            doc_id = self.conn.execute(
                "INSERT INTO documents (source, sha256, size, mtime_ns, chunks, indexed_at) "
                "VALUES (?, '', ?, 0, 0, ?)", (source, PARTIAL_SIZE, time.time())).lastrowid
            self.conn.execute("INSERT INTO partial VALUES (?, ?, 0)", (doc_id, sha256))
            self._bump()

    def add_chunks(self, source: str, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        """Append the next part of a partial document; its progress moves in the same
        transaction, so a part is either wholly there (and not redone) or absent."""
        if len(chunks) != len(vectors) or not chunks:
            raise ValueError("one vector per chunk, and at least one chunk, are required")
        with self.transaction():
            doc_id, next_ordinal = self.conn.execute(
                "SELECT p.document_id, p.next_ordinal FROM partial p JOIN documents d "
                "ON d.id = p.document_id WHERE d.source = ?", (source,)).fetchone()
            if chunks[0].ordinal != next_ordinal:
                raise ValueError(f"part starts at chunk {chunks[0].ordinal}, not {next_ordinal}")
            self._insert_chunks(doc_id, chunks, vectors)
            self.conn.execute("UPDATE partial SET next_ordinal = ? WHERE document_id = ?",
                              (chunks[-1].ordinal + 1, doc_id))
            self.conn.execute("UPDATE documents SET chunks = chunks + ? WHERE id = ?",
                              (len(chunks), doc_id))
            self._bump()

    def finish_document(self, document: DocumentRow) -> None:
        """Mark a partial document complete with its final row (hash, stamp, counts)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE documents SET sha256 = ?, size = ?, mtime_ns = ?, title = ?, pages = ?,"
                " chunks = ?, indexed_at = ? WHERE source = ?",
                (document.sha256, document.size, document.mtime_ns, document.title,
                 document.pages, document.chunks, time.time(), document.source))
            self.conn.execute("DELETE FROM partial WHERE document_id = "
                              "(SELECT id FROM documents WHERE source = ?)", (document.source,))
            self._bump()

    def touch(self, source: str, size: int, mtime_ns: int) -> None:
        """Record a new size/mtime for a document whose content did not change."""
        with self.transaction():
            self.conn.execute("UPDATE documents SET size = ?, mtime_ns = ? WHERE source = ?",
                              (size, mtime_ns, source))

    def remove_documents(self, sources: Iterable[str]) -> int:
        """Remove each document (one transaction each); how many existed."""
        removed = 0
        for source in sources:
            with self.transaction():
                removed += self._delete(source)
                self._bump()
        return removed

    def _delete(self, source: str) -> int:
        row = self.conn.execute("SELECT id FROM documents WHERE source = ?", (source,)).fetchone()
        if row is None:
            return 0
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM chunks WHERE document_id = ?", (row[0],))]
        self.conn.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(i,) for i in ids])
        self.conn.executemany("DELETE FROM chunks_vec WHERE rowid = ?", [(i,) for i in ids])
        self.conn.execute("DELETE FROM chunks WHERE document_id = ?", (row[0],))
        self.conn.execute("DELETE FROM partial WHERE document_id = ?", (row[0],))
        self.conn.execute("DELETE FROM documents WHERE id = ?", (row[0],))
        return 1

    def _bump(self) -> None:
        self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                          "WHERE key = 'generation'")


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception.

    SQLite may already have rolled the transaction back itself (it does after SQLITE_FULL);
    a ROLLBACK then fails with "cannot rollback", which must not hide the real error. A full
    disk raises :class:`~engine.storage.errors.DiskFull`, any other SQLite error
    :class:`IndexStoreError`; either way nothing of the transaction was kept.
    """

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except (sqlite3.Error, OSError) as exc:
            raise _translate(exc) from exc

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: object) -> None:
        if kind is None:
            try:
                self.conn.execute("COMMIT")
                return
            except (sqlite3.Error, OSError) as exc:
                self._rollback()
                raise _translate(exc) from exc
        self._rollback()
        if isinstance(error, sqlite3.Error | OSError):
            raise _translate(error) from error

    def _rollback(self) -> None:
        if not self.conn.in_transaction:
            return
        # Rolled back by SQLite already, maybe: the caller raises the error that matters.
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")


def _translate(error: BaseException) -> Exception:
    if is_disk_full(error):
        return DiskFull("the knowledge-base index could not grow")
    return IndexStoreError(f"cannot write the index: {error}")
