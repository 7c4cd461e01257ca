"""Schema migrations: ordered, named, recorded in the ``migrations`` table, applied once."""

from engine.storage.migrations.registry import (
    MIGRATIONS,
    Dialects,
    Migration,
    MigrationFunction,
    MigrationRegistry,
    MigrationStep,
    register_migration,
)
from engine.storage.migrations.runner import applied_migrations, apply_migrations

__all__ = [
    "MIGRATIONS",
    "Dialects",
    "Migration",
    "MigrationFunction",
    "MigrationRegistry",
    "MigrationStep",
    "applied_migrations",
    "apply_migrations",
    "register_migration",
]
