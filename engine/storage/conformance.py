"""Static proof that each backend implements its protocol: mypy checks these returns.

Nothing here runs; a backend that drifts from its protocol fails ``mypy --strict``. A new
backend adds one function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.storage.bus.local import LocalEventBus, LocalSubscription
    from engine.storage.bus.protocol import EventBus, Subscription
    from engine.storage.bus.redis import RedisEventBus
    from engine.storage.bus.redis_subscription import RedisSubscription
    from engine.storage.cache.disk import DiskCache
    from engine.storage.cache.protocol import Cache
    from engine.storage.cache.redis import RedisCache
    from engine.storage.db.postgres import PostgresDatabase
    from engine.storage.db.postgres_transaction import PostgresTransaction
    from engine.storage.db.postgres_transaction import SyncTransaction as PostgresSyncTransaction
    from engine.storage.db.protocol import Database, SyncExecutor, Transaction
    from engine.storage.db.sqlite import SqliteDatabase
    from engine.storage.db.sqlite_transaction import SqliteTransaction, SyncTransaction
    from engine.storage.objects.local import LocalObjectStore
    from engine.storage.objects.protocol import ObjectStore
    from engine.storage.objects.s3 import S3ObjectStore


def sqlite_database(backend: SqliteDatabase) -> Database:
    return backend


def sqlite_transaction(transaction: SqliteTransaction) -> Transaction:
    return transaction


def sqlite_sync_transaction(transaction: SyncTransaction) -> SyncExecutor:
    return transaction


def postgres_database(backend: PostgresDatabase) -> Database:
    return backend


def postgres_transaction(transaction: PostgresTransaction) -> Transaction:
    return transaction


def postgres_sync_transaction(transaction: PostgresSyncTransaction) -> SyncExecutor:
    return transaction


def local_object_store(backend: LocalObjectStore) -> ObjectStore:
    return backend


def disk_cache(backend: DiskCache) -> Cache:
    return backend


def local_event_bus(backend: LocalEventBus) -> EventBus:
    return backend


def local_subscription(subscription: LocalSubscription) -> Subscription:
    return subscription


def s3_object_store(backend: S3ObjectStore) -> ObjectStore:
    return backend


def redis_cache(backend: RedisCache) -> Cache:
    return backend


def redis_event_bus(backend: RedisEventBus) -> EventBus:
    return backend


def redis_subscription(subscription: RedisSubscription) -> Subscription:
    return subscription
