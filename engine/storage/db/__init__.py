"""Relational databases: the :class:`Database` protocol; backends in ``sqlite`` and
``postgres``, imported on demand (``pgvector`` adds vector search on PostgreSQL)."""

from engine.storage.db.protocol import (
    Database,
    Executor,
    Params,
    Row,
    SqlValue,
    SyncDatabase,
    SyncExecutor,
    Transaction,
)

__all__ = [
    "Database",
    "Executor",
    "Params",
    "Row",
    "SqlValue",
    "SyncDatabase",
    "SyncExecutor",
    "Transaction",
]
