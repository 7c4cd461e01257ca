"""TABLE columns written in SQL, in the store (docs/basic-compatibility.md T1): computed
defaults (``DEFAULT NOW()``…) filled at insert time from the bot's clock, table-level
``UNIQUE(a, b)`` enforced by a unique index, and constraints that rows already in a table
break reported instead of failing the declaration. Real SQLite files."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from engine.basic.errors import DataError
from engine.basic.filters import parse_filter
from engine.basic.query import ALL_ROWS, FieldDecl, TableDecl
from engine.data.journal import writes_of
from engine.data.sqlite_store import SqliteTableStore

NOW = datetime(2026, 3, 2, 9, 15, 30, 123456)

TICKETS = TableDecl(
    "tickets",
    (
        FieldDecl("title", "text", not_null=True),
        FieldDecl("owner", "text"),
        FieldDecl("created", "datetime", computed_default="now"),
        FieldDecl("day", "date", computed_default="today"),
        FieldDecl("stamp", "text", computed_default="now"),
        FieldDecl("at", "text", computed_default="time"),
        FieldDecl("ref", "text", computed_default="uuid"),
    ),
    unique=(("title", "owner"),),
)


def _store(tmp_path: Path, now: Callable[[], datetime] = lambda: NOW) -> SqliteTableStore:
    return SqliteTableStore(tmp_path / "bot.db", tmp_path / "bot.gbdata", lambda: None, now)


def test_computed_defaults_fill_inserts_from_the_clock(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        store.declare_table(TICKETS)
        key = store.save("tickets", {"title": "Printer", "owner": "ana"})
        row = store.find("tickets", parse_filter(f"id = {key}"))[0]
        assert row["created"] == NOW.replace(microsecond=0)
        assert row["day"] == date(2026, 3, 2)
        assert row["stamp"] == "2026-03-02 09:15:30"  # a text column holds the text form
        assert row["at"] == "09:15:30"
        assert re.fullmatch(r"[0-9a-f-]{36}", row["ref"])
        other = store.insert("tickets", {"title": "Desk", "created": "2025-12-24 18:00"})
        given = store.find("tickets", parse_filter(f"id = {other['id']}"))[0]
        assert given["created"] == datetime(2025, 12, 24, 18, 0)  # a given value is kept
        assert given["ref"] != row["ref"]


def test_merge_fills_inserted_rows_and_leaves_updated_ones(tmp_path: Path) -> None:
    clock = [NOW]
    with _store(tmp_path, lambda: clock[0]) as store:
        store.declare_table(TICKETS)
        store.merge("tickets", [{"id": 1, "title": "A"}], "id")
        clock[0] = datetime(2026, 4, 1, 12, 0)
        assert store.merge("tickets", [{"id": 1, "title": "A2"}, {"id": 2, "title": "B"}],
                           "id") == {"inserted": 1, "updated": 1}
        created = [(r["title"], r["created"].month) for r in store.find("tickets", ALL_ROWS)]
        assert created == [("A2", 3), ("B", 4)]


def test_unique_columns_together(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        store.declare_table(TICKETS)
        store.save("tickets", {"title": "Printer", "owner": "ana"})
        store.save("tickets", {"title": "Printer", "owner": "bo"})  # another owner: fine
        with pytest.raises(DataError, match=re.escape(
                "duplicate values for the unique columns (title, owner)")):
            store.save("tickets", {"title": "Printer", "owner": "ana"})
        with pytest.raises(DataError, match="unique columns"):
            store.update("tickets", parse_filter("owner = 'bo'"), {"owner": "ana"})
        with pytest.raises(DataError, match="unique columns"):  # one transaction: none kept
            store.merge("tickets", [{"id": 7, "title": "Lamp"},
                                    {"id": 8, "title": "Printer", "owner": "ana"}], "id")
        assert store.count("tickets", parse_filter("title = 'Lamp'")) == 0
        store.save("tickets", {"title": "Printer"})  # a null is never a duplicate
        store.save("tickets", {"title": "Printer"})
        assert store.count("tickets", ALL_ROWS) == 4
        assert store.take_problems() == []
    # a restart: the constraint is part of the table
    with _store(tmp_path) as store, pytest.raises(DataError, match="unique columns"):
        store.save("tickets", {"title": "Printer", "owner": "bo"})


def test_rows_that_break_a_new_constraint_are_reported_not_fatal(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        for owner in ("ana", "ana", "bo"):
            store.save("tickets", {"title": "Printer", "owner": owner, "email": "x@y"})
        declared = TableDecl("tickets", (*TICKETS.fields, FieldDecl("email", "text",
                                                                    unique=True)),
                             unique=(("title", "owner"), ("title", "nope")))
        store.declare_table(declared)  # no error: the declaration applies, minus the indexes
        problems = store.take_problems()
        assert problems == [
            "UNIQUE(email) of table 'tickets' is not enforced: rows already in the table "
            "repeat a value; remove the duplicates and reload the bot",
            "UNIQUE(title, owner) of table 'tickets' is not enforced: rows already in the "
            "table repeat a value; remove the duplicates and reload the bot",
            "UNIQUE(title, nope) of table 'tickets' ignored: no column 'nope'",
        ]
        assert store.take_problems() == []
        assert "created" in store.columns("tickets")  # the new columns were added
        store.save("tickets", {"title": "Printer", "owner": "ana", "email": "x@y"})
        store.delete("tickets", parse_filter("owner = 'ana'"))
        store.update("tickets", ALL_ROWS, {"email": None})
        store.declare_table(declared)  # duplicates gone: the indexes are created now
        assert store.take_problems() == [
            "UNIQUE(title, nope) of table 'tickets' ignored: no column 'nope'"]
        store.save("tickets", {"title": "Printer", "owner": "ana", "email": "a@y"})
        with pytest.raises(DataError, match="unique columns"):
            store.save("tickets", {"title": "Printer", "owner": "ana"})
        with pytest.raises(DataError, match="unique column 'email'"):
            store.save("tickets", {"title": "Other", "owner": "ana", "email": "a@y"})


def test_undo_of_an_insert_with_computed_defaults(tmp_path: Path) -> None:
    """The per-turn undo journal (engine.data.journal) covers rows whose defaults were
    computed: undoing the unit removes them."""
    with _store(tmp_path) as store:
        store.declare_table(TICKETS)
        with writes_of("turn-1"):
            store.save("tickets", {"title": "kept"})
        store.settle("turn-1", force=True)
        with writes_of("turn-2"):
            store.save("tickets", {"title": "undone", "owner": "ana"})
        assert store.unfinished("turn-") == ["turn-2"]
        assert store.undo("turn-2") == 1
        assert [r["title"] for r in store.find("tickets", ALL_ROWS)] == ["kept"]
