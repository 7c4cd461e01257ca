"""Relational databases: the :class:`Database` protocol; backends in ``sqlite`` (later
``postgres``), imported on demand."""

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
