"""Errors of the knowledge base layer, all under :class:`KbError`.

::

    EngineError
    └── KbError
        ├── ExtractionError    a document cannot be read (corrupt, encrypted, unsupported)
        ├── EmbedderError      the embedding model is missing or failed
        ├── IndexStoreError    the SQLite index cannot be opened or written
        └── CrawlError         a website cannot be crawled (bad URL, robots, HTTP failure)
"""

from __future__ import annotations

from engine.errors import EngineError


class KbError(EngineError):
    """Root of every error raised on purpose by :mod:`engine.kb`."""


class ExtractionError(KbError):
    """A document could not be turned into text; the message says why, for the user."""


class EmbedderError(KbError):
    """The embedding model could not be loaded or run."""


class IndexStoreError(KbError):
    """The index database could not be opened, migrated or written."""


class CrawlError(KbError):
    """A website could not be crawled."""
