"""The storage layer's errors. Every backend raises these and nothing else on purpose.

Foreign exceptions (``sqlean.Error``, ``OSError``, diskcache's ``Timeout``, asyncpg's,
redis's and botocore's) are translated where a backend calls its library, so callers catch
one tree whatever the URL in the settings says::

    EngineError
    └── StorageError                 any storage failure; the message is safe to show
        ├── StorageUrlError          a URL with an unknown scheme or a malformed address
        ├── StorageClosedError       a backend used before open() or after close()
        ├── StorageUnavailableError  a shared backend's server cannot be reached (or timed out)
        ├── DiskFull                 the disk (or the database's size limit) is full
        ├── DatabaseError            the database refused or failed a statement
        │   ├── ConstraintError      a UNIQUE, NOT NULL, CHECK or FOREIGN KEY violation
        │   └── MigrationError       a migration failed; the database kept its previous state
        └── ObjectStoreError         the object store failed
            ├── InvalidKeyError      a key that is empty, too long or could leave the root
            └── ObjectNotFoundError  no object under that key

Programming errors that are not about storage (a ``TypeError`` from a wrong argument) are not
translated.
"""

from __future__ import annotations

from engine.errors import EngineError


class StorageError(EngineError):
    """A storage backend failed. The message names what failed, never a secret."""


class StorageUrlError(StorageError):
    """A storage URL that no registered backend can open."""


class StorageClosedError(StorageError):
    """A backend used before ``open()`` or after ``close()``."""


class StorageUnavailableError(StorageError):
    """The server behind a shared backend (Redis, S3, PostgreSQL) refused the connection, went
    away or did not answer in time. Worth retrying later (in HTTP terms: 503)."""


class DiskFull(StorageError):
    """The disk is full: SQLite reported SQLITE_FULL or a write failed with ENOSPC/EDQUOT.

    Nothing the failed call tried to write was kept (a database statement's transaction rolled
    back; an object write left the previous object in place). The message says "disk full"
    plainly; the server answers 507 Insufficient Storage.
    """

    def __init__(self, what: str = "") -> None:
        detail = f" ({what})" if what else ""
        super().__init__(f"disk full: free some space and try again{detail}")
        self.what = what


class DatabaseError(StorageError):
    """The database refused or failed a statement."""


class ConstraintError(DatabaseError):
    """A statement violated a constraint (UNIQUE, NOT NULL, CHECK, FOREIGN KEY)."""


class MigrationError(DatabaseError):
    """A migration failed; its transaction was rolled back."""


class ObjectStoreError(StorageError):
    """The object store failed."""


class InvalidKeyError(ObjectStoreError):
    """An object key that is not allowed (empty, too long, ``..``, reserved names...)."""


class ObjectNotFoundError(ObjectStoreError):
    """No object is stored under the key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no object {key!r}")
        self.key = key
