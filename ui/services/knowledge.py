"""The desktop's view of a bot's knowledge bases, over :class:`engine.kb.knowledge.KnowledgeBase`.

The engine does not yet hand out one ``KnowledgeBase`` per bot, so this adapter opens it at
``work/<bot>/kb`` with the MiniLM embedder when that model is installed. It also lists each
collection's documents with their index state, reading the index's ``documents`` table (the
facade has no call for that yet).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.kb.embedders import Embedder
from engine.kb.index import connect
from engine.kb.knowledge import KnowledgeBase
from engine.kb.settings import KbOptions, RetrievalSettings
from engine.kb.sources import collection_name, package_collections, scan_folder

EMBEDDINGS_MODEL = "all-minilm-l6-v2"
EmbedderFactory = Callable[[], Embedder]


@dataclass(frozen=True, slots=True)
class CollectionRow:
    name: str
    folder: Path
    files: int
    indexed: int
    chunks: int


@dataclass(frozen=True, slots=True)
class DocumentRow:
    source: str
    kind: str
    pages: int
    chunks: int
    status: str  # indexed | changed | not indexed | unsupported | failed | indexing | removed
    indexed_at: datetime | None = None
    error: str = ""


def kb_root(work_dir: Path, bot: str) -> Path:
    return work_dir / bot / "kb"


def minilm_factory(models_dir: Path) -> EmbedderFactory:
    """Builds the MiniLM embedder from the models folder (EmbedderError when not installed)."""
    from engine.kb.embedders import MiniLmOnnxEmbedder

    return lambda: MiniLmOnnxEmbedder(models_dir / EMBEDDINGS_MODEL)


def open_knowledge(work_dir: Path, bot: str, embedder: Embedder,
                   config: Mapping[str, str]) -> KnowledgeBase:
    """The bot's knowledge base with its retrieval settings, except ``rag-min-score``: the
    playground shows every hit, and marks those the bot would drop."""
    root = kb_root(work_dir, bot)
    root.mkdir(parents=True, exist_ok=True)
    retrieval = RetrievalSettings.from_config(config).with_(min_score=0.0)
    return KnowledgeBase(root, embedder, KbOptions(retrieval=retrieval))


def min_score(config: Mapping[str, str]) -> float:
    return RetrievalSettings.from_config(config).min_score


def collection_folders(gbkb: Path) -> list[Path]:
    if not gbkb.is_dir():
        return []
    return [f for f in package_collections(gbkb) if f != gbkb or any(
        p.is_file() for p in gbkb.iterdir())]


def indexed_documents(index: Path) -> dict[str, dict[str, Any]]:
    """source → {size, mtime_ns, pages, chunks, indexed_at} of one collection's index."""
    if not index.exists():
        return {}
    conn = connect(index, readonly=True)
    try:
        rows = conn.execute("SELECT source, size, mtime_ns, pages, chunks, indexed_at "
                            "FROM documents").fetchall()
    except Exception:  # an index being created has no documents table yet
        return {}
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    return {r[0]: {"size": r[1], "mtime_ns": r[2], "pages": r[3], "chunks": r[4],
                   "indexed_at": r[5]} for r in rows}


def documents(folder: Path, index: Path, failures: dict[str, str]) -> list[DocumentRow]:
    """The collection's files with their index state (runs on a worker thread)."""
    items, unsupported = scan_folder(folder)
    known = indexed_documents(index)
    rows = []
    for item in items:
        row = known.get(item.key)
        kind = Path(item.name).suffix.lstrip(".").upper() or "FILE"
        if item.key in failures:
            rows.append(DocumentRow(item.key, kind, 0, 0, "failed", None, failures[item.key]))
        elif row is None:
            rows.append(DocumentRow(item.key, kind, 0, 0, "not indexed"))
        else:
            same = row["size"] == item.size and row["mtime_ns"] == item.mtime_ns
            rows.append(DocumentRow(item.key, kind, int(row["pages"]), int(row["chunks"]),
                                    "indexed" if same else "changed",
                                    datetime.fromtimestamp(float(row["indexed_at"]))))
    rows += [DocumentRow(key, Path(key).suffix.lstrip(".").upper(), 0, 0, "unsupported")
             for key in unsupported]
    return sorted(rows, key=lambda r: r.source.lower())


def collection_row(folder: Path, index: Path) -> CollectionRow:
    items, _ = scan_folder(folder)
    known = indexed_documents(index)
    return CollectionRow(collection_name(folder), folder, len(items), len(known),
                         sum(int(r["chunks"]) for r in known.values()))
