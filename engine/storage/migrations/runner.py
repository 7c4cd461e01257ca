"""Applying registered migrations to a database, once each, each in its own transaction.

Applied migrations are recorded in the ``migrations`` table. Applying is idempotent: a
migration already recorded is skipped, and the check is repeated inside the migration's own
transaction, so two processes starting together cannot both apply one (on PostgreSQL each
migration's transaction first takes a transaction-level advisory lock, so concurrent appliers
queue instead of racing on the catalog). A migration that fails
is rolled back with everything it did, the ones after it are not attempted, and
:class:`~engine.storage.errors.MigrationError` says which one failed and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from engine.storage.db.protocol import Database, Transaction
from engine.storage.errors import MigrationError, StorageError
from engine.storage.migrations.registry import (
    MIGRATIONS,
    Dialects,
    MigrationRegistry,
    MigrationStep,
)

_CREATE_TABLE = """CREATE TABLE IF NOT EXISTS migrations (
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (namespace, name)
)"""

_LOCK_KEY = 0x4865617274684D69  # "HearthMi": the advisory lock the appliers share
"""A fixed 64-bit key: every process applying migrations to one PostgreSQL database takes it."""


async def apply_migrations(db: Database, registry: MigrationRegistry = MIGRATIONS) -> list[str]:
    """Apply every migration not yet recorded; return the ``namespace/name`` of those applied."""
    async with db.transaction() as tx:
        await _serialize(tx)
        await tx.execute(_CREATE_TABLE)
    applied = await applied_migrations(db)
    done: list[str] = []
    for step in registry.steps():
        if step.label not in applied and await _apply(db, step):
            done.append(step.label)
    return done


async def applied_migrations(db: Database) -> set[str]:
    """The ``namespace/name`` of every migration recorded in the database."""
    rows = await db.fetch_all("SELECT namespace, name FROM migrations")
    return {f"{row['namespace']}/{row['name']}" for row in rows}


async def _apply(db: Database, step: MigrationStep) -> bool:
    try:
        async with db.transaction() as tx:
            await _serialize(tx)
            if await _recorded(tx, step):
                return False  # another process applied it meanwhile
            await _run(tx, step)
            await tx.execute(
                "INSERT INTO migrations (namespace, name, applied_at) VALUES (?, ?, ?)",
                (step.namespace, step.name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
    except StorageError as exc:
        raise _failed(step, exc.message) from exc
    except Exception as exc:
        raise _failed(step, f"{type(exc).__name__}: {exc}") from exc
    return True


async def _serialize(tx: Transaction) -> None:
    """On PostgreSQL, wait for other appliers' migration transactions to end (CREATE TABLE
    IF NOT EXISTS is not safe against a concurrent one there). SQLite's writer serializes."""
    if tx.dialect == "postgresql":
        await tx.execute("SELECT pg_advisory_xact_lock(?)", (_LOCK_KEY,))


async def _recorded(tx: Transaction, step: MigrationStep) -> bool:
    row = await tx.fetch_one(
        "SELECT 1 AS found FROM migrations WHERE namespace = ? AND name = ?",
        (step.namespace, step.name),
    )
    return row is not None


async def _run(tx: Transaction, step: MigrationStep) -> None:
    migration = step.migration
    if callable(migration):
        await migration(tx)
        return
    for statement in [migration] if isinstance(migration, str | Dialects) else migration:
        for text in _spelled(statement, tx.dialect):
            await tx.execute(text)


def _spelled(statement: str | Dialects, dialect: str) -> Sequence[str]:
    """The statement(s) to run on ``dialect``."""
    if isinstance(statement, Dialects):
        chosen = statement.statements(dialect)
        return [chosen] if isinstance(chosen, str) else chosen
    return [statement]


def _failed(step: MigrationStep, cause: str) -> MigrationError:
    return MigrationError(
        f"migration {step.label} failed and was rolled back (later ones were not applied): {cause}"
    )
