"""Knowledge bases: documents of a bot's ``.gbkb`` folders (and crawled websites) indexed for
hybrid retrieval with citations. See ``docs/kb.md``.

The entry point is :class:`KnowledgeBase`; the rest are the values it takes and returns.
"""

from engine.kb.citations import Citation, CitedAnswer, cite, context_block
from engine.kb.document import ChunkingOptions
from engine.kb.embedders import Embedder, HashingEmbedder, MiniLmOnnxEmbedder
from engine.kb.errors import CrawlError, EmbedderError, ExtractionError, IndexStoreError, KbError
from engine.kb.knowledge import CollectionStats, KnowledgeBase, ThinkResult
from engine.kb.progress import FailedDocument, IngestEvent, IngestEventKind, IngestReport
from engine.kb.search import Hit, Reranker
from engine.kb.settings import KbOptions, RetrievalSettings, SearchMode, WebsiteSettings

__all__ = [
    "ChunkingOptions",
    "Citation",
    "CitedAnswer",
    "CollectionStats",
    "CrawlError",
    "Embedder",
    "EmbedderError",
    "ExtractionError",
    "FailedDocument",
    "HashingEmbedder",
    "Hit",
    "IndexStoreError",
    "IngestEvent",
    "IngestEventKind",
    "IngestReport",
    "KbError",
    "KbOptions",
    "KnowledgeBase",
    "MiniLmOnnxEmbedder",
    "Reranker",
    "RetrievalSettings",
    "SearchMode",
    "ThinkResult",
    "WebsiteSettings",
    "cite",
    "context_block",
]
