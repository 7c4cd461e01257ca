"""Storage: four protocols and their backends, chosen by URL (ARCHITECTURE §2).

========  =====================================  ===========================  ==============
kind      protocol                               embedded backend             URL
========  =====================================  ===========================  ==============
db        :class:`~.db.protocol.Database`        ``SqliteDatabase``           ``sqlite:///…``
objects   :class:`~.objects.protocol.ObjectStore` ``LocalObjectStore``        ``file:///…``
cache     :class:`~.cache.protocol.Cache`        ``DiskCache``                ``disk:///…``
bus       :class:`~.bus.protocol.EventBus`       ``LocalEventBus``            ``local``
========  =====================================  ===========================  ==============

Shared backends register the same way: ``postgresql://`` gives
:class:`~.db.postgres.PostgresDatabase`, ``s3://bucket?endpoint=…``
:class:`~.objects.s3.S3ObjectStore`, ``redis://`` :class:`~.cache.redis.RedisCache` and
:class:`~.bus.redis.RedisEventBus`. Backends are made by :mod:`engine.storage.urls`
(imported lazily), opened with ``async with``
and raise only :class:`~engine.storage.errors.StorageError` and its subclasses. See
``docs/storage.md``.
"""

from engine.storage.errors import (
    ConstraintError,
    DatabaseError,
    DiskFull,
    InvalidKeyError,
    MigrationError,
    ObjectNotFoundError,
    ObjectStoreError,
    StorageClosedError,
    StorageError,
    StorageUnavailableError,
    StorageUrlError,
)
from engine.storage.urls import (
    StorageUrl,
    cache_from_url,
    database_from_url,
    event_bus_from_url,
    object_store_from_url,
    register_backend,
)

__all__ = [
    "ConstraintError",
    "DatabaseError",
    "DiskFull",
    "InvalidKeyError",
    "MigrationError",
    "ObjectNotFoundError",
    "ObjectStoreError",
    "StorageClosedError",
    "StorageError",
    "StorageUnavailableError",
    "StorageUrl",
    "StorageUrlError",
    "cache_from_url",
    "database_from_url",
    "event_bus_from_url",
    "object_store_from_url",
    "register_backend",
]
