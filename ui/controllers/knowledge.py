"""The Knowledge view's logic: a bot's collections and documents with their index state,
ingestion with per-document and overall progress (cancellable; the engine resumes where it
stopped), files dropped into a collection, and the search playground with BM25, dense and
fused scores per hit."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.kb.errors import EmbedderError
from engine.kb.knowledge import KnowledgeBase
from engine.kb.progress import IngestEvent, IngestEventKind
from engine.kb.search import Hit
from engine.kb.settings import SearchMode
from ui.models.lists import when
from ui.models.table import Column, DtoTableModel
from ui.ports import DesignerPort
from ui.services.knowledge import (
    EMBEDDINGS_MODEL,
    CollectionRow,
    DocumentRow,
    EmbedderFactory,
    collection_folders,
    collection_row,
    documents,
    min_score,
    open_knowledge,
)
from ui.tasks import TaskSet

_TONES = {"indexed": "ok", "failed": "error", "changed": "warning", "not indexed": "muted",
          "unsupported": "muted"}


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def collections_table() -> DtoTableModel[CollectionRow]:
    return DtoTableModel([
        Column("Collection", lambda c: c.name, tooltip=lambda c: str(c.folder)),
        Column("Indexed", lambda c: f"{c.indexed} of {c.files}", right=True,
               tone=lambda c: "ok" if c.files and c.indexed >= c.files else "warning"),
        Column("Chunks", lambda c: c.chunks, right=True),
    ])


def documents_table() -> DtoTableModel[DocumentRow]:
    return DtoTableModel([
        Column("Document", lambda d: d.source),
        Column("Type", lambda d: d.kind),
        Column("Pages", lambda d: d.pages or "", right=True),
        Column("Chunks", lambda d: d.chunks or "", right=True),
        Column("Status", lambda d: d.status, tooltip=lambda d: d.error or d.status,
               tone=lambda d: _TONES.get(d.status)),
        Column("Last indexed", lambda d: when(d.indexed_at) if d.indexed_at else ""),
        Column("Error", lambda d: d.error, tone=lambda d: "error"),
    ])


def _relevance_column(threshold: float) -> Column[Hit]:
    return Column("Relevance", lambda h: f"{h.score:.2f}", right=True,
                  tooltip=lambda h: f"the bot uses passages with relevance ≥ {threshold:g} "
                                    "(rag-min-score)",
                  tone=lambda h: "ok" if h.score >= threshold else "muted")


def hits_table() -> DtoTableModel[Hit]:
    return DtoTableModel([
        Column("Source", lambda h: h.label, tooltip=lambda h: h.context or h.source),
        Column("BM25", lambda h: _score(h.bm25), right=True),
        Column("Dense", lambda h: _score(h.dense), right=True),
        Column("Fused", lambda h: f"{h.fused:.4f}", right=True),
        _relevance_column(0.0),
        Column("Passage", lambda h: " ".join(h.text.split())[:160], tooltip=lambda h: h.text),
    ])


class KnowledgeController(QObject):
    error = Signal(str)
    notice = Signal(str)
    progress = Signal(int, int, str)  # done, total, text
    busy_changed = Signal(bool)

    def __init__(self, engine: DesignerPort, work_dir: Path,
                 embedder: EmbedderFactory) -> None:
        super().__init__()
        self.engine = engine
        self.work_dir = work_dir
        self.embedder_factory = embedder
        self.collections = collections_table()
        self.documents = documents_table()
        self.hits = hits_table()
        self.bot: str | None = None
        self.collection: str | None = None
        self.kb: KnowledgeBase | None = None
        self.failures: dict[str, str] = {}
        self.tasks = TaskSet(self.error.emit)
        self._ingest: asyncio.Task[None] | None = None
        self._embedder: object = None
        self.min_score = 0.0

    @property
    def gbkb(self) -> Path | None:
        return self.engine.bots.bot(self.bot).package.kb_dir if self.bot else None

    def folder(self, name: str) -> Path | None:
        return next((r.folder for r in self.collections.rows if r.name == name), None)

    # -- bots and collections --------------------------------------------------------------
    async def open_bot(self, bot: str) -> None:
        await self._close_kb()
        self.bot = bot
        loop = asyncio.get_running_loop()
        try:
            self._embedder = await loop.run_in_executor(None, self.embedder_factory)
        except EmbedderError:
            self.collections.set_rows([])
            self.documents.set_rows([])
            self.error.emit(f"Knowledge needs the embeddings model {EMBEDDINGS_MODEL} (23 MB): "
                            "pull it in Settings → Models, then open this view again.")
            return
        config = self.engine.bots.bot(bot).config
        self.kb = open_knowledge(self.work_dir, bot, self._embedder, config)  # type: ignore[arg-type]
        self.min_score = min_score(config)
        self.hits.columns[4] = _relevance_column(self.min_score)
        await self.refresh()

    async def refresh(self) -> None:
        if self.kb is None or self.gbkb is None:
            return
        kb, loop = self.kb, asyncio.get_running_loop()
        folders = collection_folders(self.gbkb)
        rows = [await loop.run_in_executor(None, collection_row, f, kb.index_path(f.name))
                for f in folders]
        self.collections.set_rows(rows)
        names = [r.name for r in rows]
        if self.collection not in names:
            self.collection = names[0] if names else None
        await self.show_documents()

    async def show_documents(self, name: str | None = None) -> None:
        self.collection = name or self.collection
        folder = self.folder(self.collection) if self.collection else None
        if self.kb is None or folder is None:
            self.documents.set_rows([])
            return
        rows = await asyncio.get_running_loop().run_in_executor(
            None, documents, folder, self.kb.index_path(folder.name), self.failures)
        self.documents.set_rows(rows)

    def select_collection(self, name: str) -> None:
        self.tasks.spawn(self.show_documents(name))

    # -- ingestion ---------------------------------------------------------------------------
    def ingest(self, names: list[str] | None = None) -> None:
        if self._ingest is not None and not self._ingest.done():
            self.error.emit("An ingestion is already running.")
            return
        self._ingest = self.tasks.spawn(self.run_ingest(names))

    def cancel(self) -> None:
        if self._ingest is not None and not self._ingest.done():
            self._ingest.cancel()
            self.notice.emit("Indexing stopped: what was indexed is kept, and the next run "
                             "carries on from there.")

    async def run_ingest(self, names: list[str] | None = None) -> None:
        assert self.kb is not None, "no bot open"
        chosen = [r for r in self.collections.rows if names is None or r.name in names]
        started = time.monotonic()
        self.busy_changed.emit(True)
        try:
            for row in chosen:
                report = await self.kb.ingest(row.folder, lambda e: self._progress(e, started))
                self.failures.update({f.source: f.reason for f in report.failed})
                for source in report.indexed:
                    self.failures.pop(source, None)
                self.notice.emit(f"{row.name}: {len(report.indexed)} indexed, "
                                 f"{report.unchanged} unchanged, {len(report.failed)} failed, "
                                 f"{report.chunks} chunks in {report.seconds:.1f} s.")
        finally:
            self.busy_changed.emit(False)
            with contextlib.suppress(Exception):
                await self.refresh()

    def _progress(self, event: IngestEvent, started: float) -> None:
        total = max(event.documents_pending, 1)
        done = min(event.documents_done, total) if event.documents_pending else total
        elapsed = time.monotonic() - started
        eta = f" · about {elapsed / done * (total - done):.0f} s left" if 0 < done < total else ""
        text = f"{event.collection}: {done} of {event.documents_pending} documents · " \
               f"{event.chunks_done} chunks{eta}"
        self.progress.emit(done, total, text)
        status = {IngestEventKind.DOCUMENT_INDEXED: "indexed",
                  IngestEventKind.DOCUMENT_FAILED: "failed"}.get(event.kind)
        if status is not None and event.collection == self.collection:
            self._mark(event.source, status, event.chunks, event.error)

    def _mark(self, source: str, status: str, chunks: int, error: str) -> None:
        for index, row in enumerate(self.documents.rows):
            if row.source == source:
                self.documents.replace_row(index, replace(row, status=status, chunks=chunks,
                                                          error=error))

    def add_files(self, paths: list[Path]) -> None:
        self.tasks.spawn(self.import_files(paths))

    async def import_files(self, paths: list[Path]) -> None:
        folder = self.folder(self.collection) if self.collection else None
        if folder is None and self.gbkb is not None:
            folder = self.gbkb
            folder.mkdir(parents=True, exist_ok=True)
        if folder is None:
            return
        loop = asyncio.get_running_loop()
        for path in paths:
            await loop.run_in_executor(None, shutil.copy2, path, folder / path.name)
        await self.refresh()
        await self.run_ingest([folder.name])

    # -- search playground --------------------------------------------------------------------
    async def search(self, query: str, mode: str = "hybrid", k: int = 10) -> list[Hit]:
        if self.kb is None:
            return []
        names = [r.name for r in self.collections.rows]
        hits = await self.kb.search(names, query, k, mode=SearchMode(mode))
        self.hits.set_rows(hits)
        if not hits:
            self.notice.emit("No passage matches: index the collections first, or try other "
                             "words.")
        return hits

    def run_search(self, query: str, mode: str) -> None:
        self.tasks.spawn(self.search(query, mode))

    # -- lifecycle ---------------------------------------------------------------------------
    async def _close_kb(self) -> None:
        if self.kb is not None:
            await self.kb.aclose()
            self.kb = None
        close = getattr(self._embedder, "close", None)
        if callable(close):
            close()
        self._embedder = None

    async def aclose(self) -> None:
        await self.tasks.aclose()
        await self._close_kb()
