"""Retrieval and crawling settings, read from a bot's ``config.csv`` keys (BASIC.md §13.3).

BM25 itself is SQLite FTS5's ``bm25()``, whose k1 (1.2) and b (0.75) are fixed by SQLite;
they equal the defaults of ``bm25-k1`` / ``bm25-b``, and other values of those keys are
reported as unsupported rather than silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from engine.kb.document import ChunkingOptions

FTS5_K1 = 1.2
FTS5_B = 0.75


class SearchMode(StrEnum):
    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"


@dataclass(frozen=True, slots=True)
class RetrievalSettings:
    max_results: int = 10
    min_score: float = 0.2
    hybrid: bool = True
    dense_weight: float = 0.7
    sparse_weight: float = 0.3
    rrf_k: int = 60
    candidates: int = 100
    """How many hits each retriever contributes before fusion (at least the result count)."""

    @property
    def mode(self) -> SearchMode:
        return SearchMode.HYBRID if self.hybrid else SearchMode.BM25

    def with_(self, **changes: object) -> RetrievalSettings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> RetrievalSettings:
        """Values of the ``rag-*`` keys; a missing or unreadable value keeps the default."""
        base = cls()
        return cls(
            max_results=max(1, _int(config.get("rag-max-results"), base.max_results)),
            min_score=_float(config.get("rag-min-score"), base.min_score),
            hybrid=_bool(config.get("rag-hybrid-enabled"), base.hybrid),
            dense_weight=max(0.0, _float(config.get("rag-dense-weight"), base.dense_weight)),
            sparse_weight=max(0.0, _float(config.get("rag-sparse-weight"), base.sparse_weight)),
            rrf_k=max(1, _int(config.get("rag-rrf-k"), base.rrf_k)),
        )


def unsupported_bm25_keys(config: Mapping[str, str]) -> list[str]:
    """Warnings for ``bm25-k1``/``bm25-b`` values FTS5 cannot honour."""
    warnings = []
    for key, fixed in (("bm25-k1", FTS5_K1), ("bm25-b", FTS5_B)):
        value = config.get(key)
        if value and abs(_float(value, fixed) - fixed) > 1e-9:
            warnings.append(f"{key}={value} is not supported: SQLite FTS5 uses {fixed}")
    return warnings


@dataclass(frozen=True, slots=True)
class WebsiteSettings:
    max_depth: int = 3
    max_pages: int = 100
    expires: dt.timedelta = dt.timedelta(days=1)
    delay: float = 1.0
    """Seconds between two requests to the site (a robots.txt Crawl-delay may raise it)."""

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> WebsiteSettings:
        base = cls()
        return cls(
            max_depth=max(0, _int(config.get("website-max-depth"), base.max_depth)),
            max_pages=max(1, _int(config.get("website-max-pages"), base.max_pages)),
            expires=parse_refresh(config.get("website-expires") or "") or base.expires,
        )


MB = 1024 * 1024
DEFAULT_MAX_DOCUMENT_MB = 64
MAX_DOCUMENT_KEY = "kb-max-document-mb"


@dataclass(frozen=True, slots=True)
class KbOptions:
    """Everything a knowledge base needs besides its folder and embedder."""

    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    chunking: ChunkingOptions = field(default_factory=ChunkingOptions)
    max_file_bytes: int = DEFAULT_MAX_DOCUMENT_MB * MB
    """Documents larger than this are reported and not indexed (``kb-max-document-mb``)."""

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> KbOptions:
        """Options from a bot's ``config.csv``: the ``rag-*`` keys and ``kb-max-document-mb``."""
        return cls(retrieval=RetrievalSettings.from_config(config),
                   max_file_bytes=max_document_bytes(config))


def max_document_bytes(config: Mapping[str, str]) -> int:
    """``kb-max-document-mb`` in bytes (a positive number of MB, fractions allowed); a
    missing, unreadable or non-positive value keeps the default, 64 MB."""
    megabytes = _float(config.get(MAX_DOCUMENT_KEY), DEFAULT_MAX_DOCUMENT_MB)
    if not 0 < megabytes < 1e9:  # also refuses nan and inf
        megabytes = DEFAULT_MAX_DOCUMENT_MB
    return int(megabytes * MB)


def over_size_limit(size: int, limit: int) -> str:
    """The reason a document over the per-document size cap was not indexed."""
    return (f"{size / MB:.1f} MB, over the {limit / MB:g} MB limit per document "
            f"({MAX_DOCUMENT_KEY}), not indexed")


_REFRESH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$", re.I)
_REFRESH_UNITS = {"h": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400,
                  "days": 86400, "w": 604800, "week": 604800, "weeks": 604800,
                  "m": 2592000, "month": 2592000, "months": 2592000, "y": 31536000,
                  "year": 31536000, "years": 31536000}


def parse_refresh(text: str) -> dt.timedelta | None:
    """``USE WEBSITE … REFRESH`` / ``website-expires`` periods: ``1d``, ``1w``, ``1m`` (month),
    ``1y``, also hours. None when the text is not such a period."""
    match = _REFRESH.match(text)
    if not match or match.group(2).lower() not in _REFRESH_UNITS:
        return None
    return dt.timedelta(seconds=float(match.group(1)) * _REFRESH_UNITS[match.group(2).lower()])


def _int(value: str | None, default: int) -> int:
    try:
        return int(float(value)) if value not in (None, "") else default
    except ValueError:
        return default


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else default
    except ValueError:
        return default


def _bool(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("true", "1", "yes", "on")
