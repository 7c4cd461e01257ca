"""Migrations: applied once, in order, each atomically; a failure keeps the previous state.
Runs against every database backend (the ``db`` fixture)."""

from __future__ import annotations

import asyncio
import importlib

import pytest

from engine.storage.db.protocol import Database, Transaction
from engine.storage.errors import DatabaseError, MigrationError, StorageError
from engine.storage.migrations import (
    MIGRATIONS,
    Dialects,
    MigrationRegistry,
    applied_migrations,
    apply_migrations,
    register_migration,
)

pytestmark = pytest.mark.anyio


async def tables(db: Database) -> set[str]:
    if db.dialect == "sqlite":
        rows = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = await db.fetch_all(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = current_schema()"
        )
    return {row["name"] for row in rows}


async def add_notes_column(tx: Transaction) -> None:
    await tx.execute("ALTER TABLE sessions ADD COLUMN notes TEXT")
    await tx.execute("UPDATE sessions SET notes = 'migrated'")


def registry() -> MigrationRegistry:
    migrations = MigrationRegistry()
    migrations.register("sessions", "0001_create", "CREATE TABLE sessions (id TEXT PRIMARY KEY)")
    migrations.register(
        "kb",
        "0001_create",
        (
            "CREATE TABLE documents (id TEXT PRIMARY KEY, session TEXT REFERENCES sessions (id))",
            "CREATE INDEX documents_session ON documents (session)",
        ),
    )
    migrations.register("sessions", "0002_notes", add_notes_column)
    return migrations


async def test_applies_in_registration_order_once(db: Database) -> None:
    migrations = registry()
    assert await apply_migrations(db, migrations) == [
        "sessions/0001_create",
        "kb/0001_create",
        "sessions/0002_notes",
    ]
    assert {"sessions", "documents", "migrations"} <= await tables(db)
    await db.execute("INSERT INTO sessions (id, notes) VALUES ('s1', 'x')")
    assert await apply_migrations(db, migrations) == []  # idempotent
    assert await applied_migrations(db) == {
        "sessions/0001_create",
        "kb/0001_create",
        "sessions/0002_notes",
    }
    row = await db.fetch_one("SELECT applied_at FROM migrations WHERE name = '0002_notes'")
    assert row is not None and row["applied_at"].endswith("+00:00")


async def test_only_new_migrations_run_later(db: Database) -> None:
    first = MigrationRegistry()
    first.register("sessions", "0001_create", "CREATE TABLE sessions (id TEXT PRIMARY KEY)")
    assert await apply_migrations(db, first) == ["sessions/0001_create"]
    await db.execute("INSERT INTO sessions (id) VALUES ('kept')")
    assert await apply_migrations(db, registry()) == ["kb/0001_create", "sessions/0002_notes"]
    assert await db.fetch_all("SELECT id, notes FROM sessions") == [
        {"id": "kept", "notes": "migrated"}
    ]


async def test_a_failing_migration_leaves_the_previous_state(db: Database) -> None:
    migrations = MigrationRegistry()
    migrations.register("app", "0001_create", "CREATE TABLE a (id INTEGER PRIMARY KEY)")
    migrations.register(
        "app",
        "0002_broken",
        ("CREATE TABLE b (id INTEGER)", "INSERT INTO a (id) VALUES (1)", "CREATE TABLE oops ("),
    )
    migrations.register("app", "0003_never", "CREATE TABLE c (id INTEGER)")
    with pytest.raises(MigrationError, match=r"app/0002_broken failed and was rolled back") as err:
        await apply_migrations(db, migrations)
    assert isinstance(err.value, DatabaseError) and isinstance(err.value.__cause__, StorageError)
    assert await applied_migrations(db) == {"app/0001_create"}
    assert "b" not in await tables(db) and "c" not in await tables(db)
    assert await db.fetch_all("SELECT id FROM a") == []
    with pytest.raises(MigrationError):  # still failing, still nothing half done
        await apply_migrations(db, migrations)
    assert await applied_migrations(db) == {"app/0001_create"}


async def test_a_function_that_raises_is_a_migration_error(db: Database) -> None:
    async def buggy(tx: Transaction) -> None:
        await tx.execute("CREATE TABLE half (id INTEGER)")
        raise KeyError("missing")

    migrations = MigrationRegistry()
    migrations.register("app", "0001_buggy", buggy)
    with pytest.raises(MigrationError, match="KeyError"):
        await apply_migrations(db, migrations)
    assert "half" not in await tables(db)


async def test_concurrent_appliers_apply_each_migration_once(db: Database) -> None:
    migrations = registry()
    results = await asyncio.gather(*(apply_migrations(db, migrations) for _ in range(4)))
    applied = [label for result in results for label in result]
    assert sorted(applied) == sorted(step.label for step in migrations.steps())


async def test_migration_functions_see_the_dialect(db: Database) -> None:
    seen: list[str] = []

    async def record(tx: Transaction) -> None:
        seen.append(tx.dialect)

    migrations = MigrationRegistry()
    migrations.register("app", "0001_dialect", record)
    await apply_migrations(db, migrations)
    assert seen == [db.dialect]


def test_registry_rules() -> None:
    migrations = MigrationRegistry()
    migrations.register("app", "0002_b", "SELECT 1")
    with pytest.raises(ValueError, match="must sort after"):
        migrations.register("app", "0001_a", "SELECT 1")
    migrations.register("app", "0002_b", "SELECT 1")  # the same again: a re-import
    with pytest.raises(ValueError, match="already registered"):
        migrations.register("app", "0002_b", "SELECT 2")
    with pytest.raises(ValueError, match="bad migration id"):
        migrations.register("App Name", "0001", "SELECT 1")
    migrations.register("other", "0001_a", "SELECT 1")  # another namespace has its own order
    assert [s.label for s in migrations.steps()] == ["app/0002_b", "other/0001_a"]


def test_the_engine_registry_is_the_default() -> None:
    assert register_migration.__self__ is MIGRATIONS  # type: ignore[attr-defined]


async def test_dialects_pick_each_backends_statements(db: Database) -> None:
    migrations = MigrationRegistry()
    auto_id = Dialects(
        sqlite="CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT)",
        postgresql="CREATE TABLE notes (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
        "PRIMARY KEY, text TEXT)",
    )
    migrations.register("app", "0001_notes", auto_id)
    migrations.register(
        "app",
        "0002_more",
        (
            Dialects(
                sqlite=["CREATE TABLE only_sqlite (id INTEGER)"],
                postgresql=["CREATE TABLE only_postgresql (id INTEGER)"],
            ),
            "CREATE INDEX notes_text ON notes (text)",
        ),
    )
    await apply_migrations(db, migrations)
    other = "only_postgresql" if db.dialect == "sqlite" else "only_sqlite"
    assert f"only_{db.dialect}" in await tables(db) and other not in await tables(db)
    await db.execute("INSERT INTO notes (text) VALUES ('a'), ('b')")
    assert await db.fetch_all("SELECT id FROM notes ORDER BY id") == [{"id": 1}, {"id": 2}]


def test_dialects_need_a_known_dialect() -> None:
    with pytest.raises(MigrationError, match="oracle"):
        Dialects(sqlite="SELECT 1", postgresql="SELECT 1").statements("oracle")


async def test_the_engines_own_migrations_apply_on_every_backend(db: Database) -> None:
    for module in ("engine.sessions.store", "engine.bots.scheduler"):
        importlib.import_module(module)  # importing registers its migrations in MIGRATIONS

    await apply_migrations(db)
    assert {"sessions", "messages", "dialogs", "job_runs", "scheduled_jobs"} <= await tables(db)
    await db.execute(
        "INSERT INTO messages (session_id, role, content, message_type, meta, created_at) "
        "VALUES ('s', 'user', 'hi', 0, '{}', '2026-01-01T00:00:00')"
    )
    assert await db.fetch_all("SELECT id FROM messages") == [{"id": 1}]
