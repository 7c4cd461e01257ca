"""Where engine packages declare their schema changes.

A migration is identified by a namespace (the package that owns the tables, e.g.
``"sessions"``) and a name that sorts after that namespace's earlier ones (``"0001_create"``,
``"0002_add_index"``). It is one SQL statement, a sequence of statements, or an async function
of the :class:`~engine.storage.db.protocol.Transaction` it runs in (branch on
``tx.dialect`` where SQLite and PostgreSQL must differ)::

    register_migration("sessions", "0001_create", (
        "CREATE TABLE sessions (id TEXT PRIMARY KEY, bot TEXT NOT NULL)",
        "CREATE INDEX sessions_bot ON sessions (bot)",
    ))

Migrations run in registration order, so a package registering at import time runs after the
packages it imports, which is the order its foreign keys need.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from engine.storage.db.protocol import Transaction

MigrationFunction: TypeAlias = Callable[[Transaction], Awaitable[None]]
Migration: TypeAlias = str | Sequence[str] | MigrationFunction

_NAMESPACE = re.compile(r"[a-z][a-z0-9_.]*")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True, slots=True)
class MigrationStep:
    """One registered migration."""

    namespace: str
    name: str
    migration: Migration

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}"


class MigrationRegistry:
    """The migrations of every namespace, in registration order."""

    def __init__(self) -> None:
        self._steps: list[MigrationStep] = []
        self._latest: dict[str, str] = {}

    def register(self, namespace: str, name: str, migration: Migration) -> None:
        """Add a migration; registering the very same one again (a re-import) does nothing."""
        if not _NAMESPACE.fullmatch(namespace) or not _NAME.fullmatch(name):
            raise ValueError(f"bad migration id {namespace!r}/{name!r}")
        step = MigrationStep(namespace, name, migration)
        same = next((s for s in self._steps if s.label == step.label), None)
        if same is not None:
            if same.migration is migration or same.migration == migration:
                return
            raise ValueError(f"another migration is already registered as {step.label}")
        latest = self._latest.get(namespace)
        if latest is not None and name <= latest:
            raise ValueError(
                f"migration {step.label} must sort after {namespace}/{latest}, registered before it"
            )
        self._steps.append(step)
        self._latest[namespace] = name

    def steps(self) -> tuple[MigrationStep, ...]:
        return tuple(self._steps)


MIGRATIONS = MigrationRegistry()
"""The engine's migrations: engine packages register here when imported."""

register_migration = MIGRATIONS.register
