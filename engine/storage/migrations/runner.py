"""Applying registered migrations to a database, once each, each in its own transaction.

Applied migrations are recorded in the ``migrations`` table. Applying is idempotent: a
migration already recorded is skipped, and the check is repeated inside the migration's own
transaction, so two processes starting together cannot both apply one. A migration that fails
is rolled back with everything it did, the ones after it are not attempted, and
:class:`~engine.storage.errors.MigrationError` says which one failed and why.
"""

from __future__ import annotations

from datetime import UTC, datetime

from engine.storage.db.protocol import Database, Transaction
from engine.storage.errors import MigrationError, StorageError
from engine.storage.migrations.registry import MIGRATIONS, MigrationRegistry, MigrationStep

_CREATE_TABLE = """CREATE TABLE IF NOT EXISTS migrations (
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (namespace, name)
)"""


async def apply_migrations(db: Database, registry: MigrationRegistry = MIGRATIONS) -> list[str]:
    """Apply every migration not yet recorded; return the ``namespace/name`` of those applied."""
    await db.execute(_CREATE_TABLE)
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


async def _recorded(tx: Transaction, step: MigrationStep) -> bool:
    row = await tx.fetch_one(
        "SELECT 1 AS found FROM migrations WHERE namespace = ? AND name = ?",
        (step.namespace, step.name),
    )
    return row is not None


async def _run(tx: Transaction, step: MigrationStep) -> None:
    migration = step.migration
    if isinstance(migration, str):
        await tx.execute(migration)
    elif callable(migration):
        await migration(tx)
    else:
        for statement in migration:
            await tx.execute(statement)


def _failed(step: MigrationStep, cause: str) -> MigrationError:
    return MigrationError(
        f"migration {step.label} failed and was rolled back (later ones were not applied): {cause}"
    )
