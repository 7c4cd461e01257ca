"""The object store seam: named blobs for drives and KB originals (a folder, or S3 later).

Keys are ``/``-separated relative names (``bots/faq/drive/report.pdf``) checked by
:func:`engine.storage.objects.keys.check_key`; the rules are the intersection of what S3,
POSIX and Windows allow, so a key that works on one backend works on all. There are no
folders: ``list(prefix)`` matches key prefixes, like S3.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from engine.storage.lifecycle import Resource

DEFAULT_CHUNK_SIZE = 256 * 1024


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What is known about a stored object; ``modified`` is timezone-aware UTC."""

    key: str
    size: int
    modified: datetime


class ObjectStore(Resource, Protocol):
    """Put, get, stream, list and delete objects. Writes are atomic: a reader sees the old
    object or the new one, never part of one; a failed ``put`` leaves the old one."""

    async def put(self, key: str, data: bytes | AsyncIterable[bytes]) -> ObjectInfo:
        """Store ``data`` (bytes, or chunks from an async iterable) under ``key``."""
        ...

    async def get(self, key: str) -> bytes:
        """The whole object; :class:`ObjectNotFoundError` if there is none."""
        ...

    def stream(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """The object in chunks; a missing key raises on the first iteration. Iterate to the
        end or ``aclose()`` the iterator to release the file."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""
        ...

    def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        """Every object whose key starts with ``prefix``, sorted by key."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def stat(self, key: str) -> ObjectInfo:
        """Size and modification time; :class:`ObjectNotFoundError` if there is none."""
        ...
