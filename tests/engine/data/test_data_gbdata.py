"""Importing ``.gbdata`` files on a table's first use (BASIC.md §7.1, §14.3)."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from engine.basic.errors import DataError
from engine.basic.filters import parse_filter
from engine.basic.query import ALL_ROWS, FieldDecl, TableDecl
from engine.basic.values import json_text
from engine.data.gbdata import find_data_file, read_data_file
from engine.data.sqlite_store import SqliteTableStore

CONFORMANCE_DATA = Path(__file__).parents[4] / "shared" / "conformance" / "data"
PRODUCTS = "name,price,stock\nPen,1.5,10\nInk,4,0\n"


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def test_gbdata_import_conformance(store: SqliteTableStore, data_folder: Path) -> None:
    """conformance/data/gbdata_import.bas with its products.csv."""
    source = CONFORMANCE_DATA / "gbdata_import.pkg" / "data" / "products.csv"
    if source.exists():
        shutil.copy(source, data_folder / "products.csv")
    else:
        write(data_folder, "products.csv", PRODUCTS)
    rows = store.find("products.csv", parse_filter("stock > 0"))
    assert len(rows) == 1 and rows[0]["name"] == "Pen"
    assert type(rows[0]["price"]) is float and type(rows[0]["stock"]) is int
    assert json_text(store.find("products", ALL_ROWS)) == (
        '[{"id":1,"name":"Pen","price":1.5,"stock":10},{"id":2,"name":"Ink","price":4,"stock":0}]'
    )


def test_imported_once_and_then_automatic(store: SqliteTableStore, data_folder: Path) -> None:
    path = write(data_folder, "Products.CSV", PRODUCTS)
    assert store.count("PRODUCTS", ALL_ROWS) == 2
    path.write_text("name\nother\n", encoding="utf-8")
    assert store.save("products", {"name": "Pad", "color": "red"}) == 3  # new keys add columns
    assert store.count("products", ALL_ROWS) == 3


@pytest.mark.parametrize(
    "first_use",
    [
        lambda s: s.save("products", {"name": "Pad"}),
        lambda s: s.insert("products", {"name": "Pad"}),
        lambda s: s.merge("products", [{"name": "Pad"}], "name"),
        lambda s: s.update("products", ALL_ROWS, {"stock": 1}),
        lambda s: s.delete("products", parse_filter("name = Nothing")),
        lambda s: s.aggregate("products", "SUM", "stock", ALL_ROWS),
        lambda s: s.search("products", "pen", 5),
    ],
)
def test_any_keyword_imports(store: SqliteTableStore, data_folder: Path, first_use: object) -> None:
    write(data_folder, "products.csv", PRODUCTS)
    first_use(store)  # type: ignore[operator]
    assert store.find("products", parse_filter("ORDER BY id LIMIT 2"))[0]["name"] == "Pen"


def test_declaring_an_importable_table_imports_it_first(
    store: SqliteTableStore, data_folder: Path
) -> None:
    write(data_folder, "products.csv", PRODUCTS)
    store.declare_table(
        TableDecl("products", (FieldDecl("name", "text"), FieldDecl("sku", "text")))
    )
    assert store.find("products", ALL_ROWS)[0] == {
        "id": 1, "name": "Pen", "price": 1.5, "stock": 10, "sku": None,
    }  # fmt: skip


def test_type_inference(data_folder: Path) -> None:
    path = write(
        data_folder,
        "mixed.csv",
        "Id,Whole,Real,Flag,Day,Moment,Words,Empty,Mixed\n"
        "7,1,1,true,2026-01-15,2026-01-15T10:30:00,hello,,1\n"
        "9,-2,2.5,FALSE,2026-02-01,2026-02-01 08:00,,,x\n"
        "\n",
    )
    data = read_data_file(path)
    types = {c.name: c.type for c in data.columns}
    assert types == {
        "id": "integer",
        "whole": "integer",
        "real": "float",
        "flag": "boolean",
        "day": "date",
        "moment": "datetime",
        "words": "text",
        "empty": "text",
        "mixed": "text",
    }
    assert data.rows[1] == {
        "id": 9,
        "whole": -2,
        "real": 2.5,
        "flag": False,
        "day": date(2026, 2, 1),
        "moment": datetime(2026, 2, 1, 8, 0),
        "words": None,
        "empty": None,
        "mixed": "x",
    }
    assert len(data.rows) == 2


def test_file_with_id_column_keeps_its_keys(store: SqliteTableStore, data_folder: Path) -> None:
    write(data_folder, "codes.tsv", "id\tlabel\nA\tfirst\nB\tsecond\n\tthird\n")
    rows = store.find("codes", ALL_ROWS)
    assert [r["id"] for r in rows[:2]] == ["A", "B"] and len(rows[2]["id"]) == 36
    assert store.save("codes", {"id": "A", "label": "changed"}) == "A"
    assert store.find("codes", parse_filter("id = A"))[0]["label"] == "changed"


def test_file_lookup(data_folder: Path) -> None:
    write(data_folder, "Order Details.csv", "a\n1\n")
    write(data_folder, "notes.txt", "a\n1\n")
    assert find_data_file(data_folder, "order_details") == data_folder / "Order Details.csv"
    assert find_data_file(data_folder, "notes") is None
    assert find_data_file(None, "order_details") is None
    assert find_data_file(data_folder / "missing", "order_details") is None


def test_bad_files_are_data_errors(store: SqliteTableStore, data_folder: Path) -> None:
    write(data_folder, "dup.csv", "a,A\n1,2\n")
    write(data_folder, "empty.csv", "")
    for table in ("dup", "empty"):
        with pytest.raises(DataError):
            store.find(table, ALL_ROWS)
