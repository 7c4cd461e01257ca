"""How a transaction block's end turns out, the same for every database backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from engine.storage.errors import DatabaseError

FAILED_COMMIT = "transaction rolled back: a statement in it failed"


@contextmanager
def block_end(kind: type[BaseException] | None, failed_before: bool) -> Iterator[None]:
    """Wrap the commit or rollback of a block that left with exception type ``kind``.

    A failed commit raises; a failed rollback is swallowed, since the block's own exception
    (which propagates anyway) matters more. A block that left cleanly after a statement in it
    had failed was rolled back: that raises DatabaseError(FAILED_COMMIT).
    """
    try:
        yield
    except Exception:
        if kind is None:
            raise
        return  # the block's own exception matters more than a failed rollback
    if kind is None and failed_before:
        raise DatabaseError(FAILED_COMMIT)
