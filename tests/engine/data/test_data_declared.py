"""Declared tables: constraints, strictness, positional SAVE and roles (BASIC.md §7.2, §7.5)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.basic.errors import BasicPermissionError, DataError, ServiceError
from engine.basic.filters import parse_filter
from engine.basic.query import ALL_ROWS, FieldDecl, IndexDecl, TableDecl
from engine.basic.values import json_text
from engine.data.sqlite_store import SqliteTableStore

StoreFactory = Callable[..., SqliteTableStore]
RolesFixture = tuple[SqliteTableStore, list[frozenset[str] | None]]

CONTACTS = TableDecl(
    "contacts",
    (
        FieldDecl("name", "text", not_null=True),
        FieldDecl("email", "text", unique=True),
        FieldDecl("age", "integer", default=0),
        FieldDecl("vip", "boolean"),
        FieldDecl("born", "date"),
    ),
)


def test_declared_table_conformance(store: SqliteTableStore) -> None:
    """conformance/data/table_declared.bas"""
    store.declare_table(CONTACTS)
    values = ["Ana", "ana@example.com", 31, True, "1995-03-10"]
    assert store.save_values("contacts", [(None, v) for v in values]) == 1
    assert store.save_values("contacts", [("name", "Bo"), ("email", "bo@example.com")]) == 2
    rows = store.find("contacts", ALL_ROWS)
    assert json_text(rows) == (
        '[{"id":1,"name":"Ana","email":"ana@example.com","age":31,"vip":true,"born":"1995-03-10"},'
        '{"id":2,"name":"Bo","email":"bo@example.com","age":0,"vip":null,"born":null}]'
    )
    assert rows[0]["born"].year == 1995
    with pytest.raises(DataError, match="unknown column 'phone' in table 'contacts'"):
        store.save("contacts", {"name": "Cy", "phone": "123"})
    with pytest.raises(DataError, match="unique column 'email'"):
        store.save("contacts", {"name": "Dee", "email": "ana@example.com"})
    assert store.count("contacts", ALL_ROWS) == 2


def test_constraints(store: SqliteTableStore) -> None:
    store.declare_table(CONTACTS)
    with pytest.raises(DataError, match="column 'name' of 'contacts' cannot be null"):
        store.save("contacts", {"email": "x@y"})
    store.save("contacts", {"name": "Ana", "email": "a@x"})
    with pytest.raises(DataError, match="cannot be null"):
        store.update("contacts", ALL_ROWS, {"name": None})
    store.save("contacts", {"name": "Bo", "email": "b@x"})
    with pytest.raises(DataError, match="unique"):
        store.update("contacts", ALL_ROWS, {"email": "same@x"})
    with pytest.raises(DataError, match="unique"):
        store.insert("contacts", {"name": "Cy", "email": "a@x"})
    store.save("contacts", {"name": "Cy"})  # null is never a duplicate
    store.save("contacts", {"name": "Di"})
    assert store.count("contacts", ALL_ROWS) == 4


def test_positional_save_rules(store: SqliteTableStore) -> None:
    store.declare_table(CONTACTS)
    with pytest.raises(DataError, match="has 5 columns"):
        store.save_values("contacts", [(None, i) for i in range(6)])
    # a derived name the table lacks makes the whole SAVE positional
    key = store.save_values("contacts", [("first", "Eve"), ("mail", "e@x")])
    assert store.find("contacts", parse_filter(f"id = {key}"))[0]["email"] == "e@x"


def test_key_field_and_text_keys(store: SqliteTableStore) -> None:
    decl = TableDecl(
        "codes",
        (FieldDecl("label", "text"), FieldDecl("code", "text", key=True)),
    )
    store.declare_table(decl)
    assert store.save_values("codes", [(None, "First"), (None, "A1")]) == "A1"
    assert store.save_values("codes", [(None, "Again"), (None, "A1")]) == "A1"
    assert store.save("codes", {"label": "auto"}) != "A1"
    assert store.find("codes", ALL_ROWS)[0] == {"label": "Again", "code": "A1"}
    assert store.save_keyed("codes", "B2", {"label": "keyed"}) == "B2"
    with pytest.raises(DataError, match="duplicate key"):
        store.insert("codes", {"code": "B2"})


def test_declared_id_field_is_the_key(store: SqliteTableStore) -> None:
    store.declare_table(TableDecl("things", (FieldDecl("id", "text"), FieldDecl("n", "integer"))))
    assert store.save_values("things", [(None, "x"), (None, 1)]) == "x"
    assert store.find("things", ALL_ROWS) == [{"id": "x", "n": 1}]


def test_redeclaring_adds_columns_and_never_drops(store: SqliteTableStore) -> None:
    store.save("leads", {"name": "Ana", "old": 1})
    decl = TableDecl("leads", (FieldDecl("name", "text"), FieldDecl("score", "integer", default=5)))
    store.declare_table(decl)
    store.declare_table(decl)  # idempotent, as every compile repeats it
    store.save("leads", {"name": "Bo", "old": 2})
    assert store.find("leads", ALL_ROWS) == [
        {"id": 1, "name": "Ana", "old": 1, "score": None},
        {"id": 2, "name": "Bo", "old": 2, "score": 5},
    ]
    with pytest.raises(DataError, match="unknown column"):
        store.save("leads", {"name": "Cy", "brand_new": 1})  # now declared: strict


def test_schema_survives_a_restart(open_store: StoreFactory) -> None:
    first = open_store()
    first.declare_table(CONTACTS)
    first.save("contacts", {"name": "Ana", "born": "2000-01-02"})
    first.close()
    second = open_store()
    assert second.find("contacts", ALL_ROWS)[0]["born"].isoformat() == "2000-01-02"
    with pytest.raises(DataError):
        second.save("contacts", {"nickname": "x"})
    assert second.save("contacts", {"name": "Bo"}) == 2


def test_declare_index(store: SqliteTableStore) -> None:
    store.declare_table(CONTACTS)
    store.declare_index(IndexDecl("by_mail", "contacts", ("Email", "name")))
    store.declare_index(IndexDecl("by_mail", "contacts", ("email",)))  # exists: kept
    with pytest.raises(DataError):
        store.declare_index(IndexDecl("bad", "contacts", ("nope",)))
    with pytest.raises(DataError):
        store.declare_index(IndexDecl("bad", "missing", ("a",)))


def test_external_connections_are_not_available(store: SqliteTableStore) -> None:
    with pytest.raises(ServiceError):
        store.declare_table(TableDecl("remote", (FieldDecl("a", "text"),), connection="crm"))


# --- roles ----------------------------------------------------------------------------------------

SECRET = TableDecl(
    "staff",
    (
        FieldDecl("name", "text"),
        FieldDecl("salary", "float", read_by=("hr",), write_by=("hr",)),
        FieldDecl("note", "text", write_by=("admin",)),
    ),
    read_by=("sales;HR",),
    write_by=("hr",),
)


@pytest.fixture
def roles_store(tmp_path: Path) -> Iterator[RolesFixture]:
    current: list[frozenset[str] | None] = [None]
    with SqliteTableStore(tmp_path / "roles.db", None, lambda: current[0]) as store:
        store.declare_table(SECRET)
        store.save("staff", {"name": "Ana", "salary": 10.5, "note": "x"})
        yield store, current


def test_every_role_when_the_provider_says_none(roles_store: RolesFixture) -> None:
    store, _ = roles_store
    assert store.find("staff", ALL_ROWS) == [{"id": 1, "name": "Ana", "salary": 10.5, "note": "x"}]


def test_table_read_roles(roles_store: RolesFixture) -> None:
    store, current = roles_store
    current[0] = frozenset({"guest"})
    for read in (
        lambda: store.find("staff", ALL_ROWS),
        lambda: store.count("staff", ALL_ROWS),
        lambda: store.search("staff", "ana", 10),
        lambda: store.aggregate("staff", "SUM", "salary", ALL_ROWS),
    ):
        with pytest.raises(BasicPermissionError, match="may not read table 'staff'"):
            read()


def test_unreadable_fields_are_dropped(roles_store: RolesFixture) -> None:
    store, current = roles_store
    current[0] = frozenset({"Sales"})
    assert store.find("staff", ALL_ROWS) == [{"id": 1, "name": "Ana", "note": "x"}]
    with pytest.raises(BasicPermissionError, match="column 'salary'"):
        store.find("staff", parse_filter("salary > 5"))
    with pytest.raises(BasicPermissionError):
        store.aggregate("staff", "MAX", "salary", ALL_ROWS)
    current[0] = frozenset({"hr"})
    assert store.find("staff", parse_filter("salary > 5"))[0]["salary"] == 10.5


def test_write_roles(roles_store: RolesFixture) -> None:
    store, current = roles_store
    current[0] = frozenset({"sales"})
    for write in (
        lambda: store.save("staff", {"name": "Bo"}),
        lambda: store.insert("staff", {"name": "Bo"}),
        lambda: store.update("staff", ALL_ROWS, {"name": "Bo"}),
        lambda: store.delete("staff", parse_filter("*")),
        lambda: store.merge("staff", [{"name": "Bo"}], "name"),
    ):
        with pytest.raises(BasicPermissionError, match="may not write table 'staff'"):
            write()
    current[0] = frozenset({"hr"})
    store.save("staff", {"name": "Bo", "salary": 3})
    with pytest.raises(BasicPermissionError, match="column 'note'"):
        store.save("staff", {"name": "Cy", "note": "hi"})
    assert store.count("staff", ALL_ROWS) == 2


def test_columns(store: SqliteTableStore, data_folder: Path) -> None:
    assert store.columns("contacts") == []
    store.declare_table(CONTACTS)
    assert store.columns("Contacts.csv") == ["id", "name", "email", "age", "vip", "born"]
    (data_folder / "prices.csv").write_text("Item Name,price\nPen,1\n", encoding="utf-8")
    assert store.columns("prices") == ["id", "item_name", "price"]
