"""An empty ``.gbdata`` CSV (zero bytes or a header only) does not fix a declared table's
columns: the TABLE definition does (docs/basic-compatibility.md T2). Real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.basic.compiler import compile_source
from engine.basic.errors import DataError
from engine.basic.query import ALL_ROWS
from engine.data.sqlite_store import SqliteTableStore

TABLES = """TABLE tickets
    title STRING
    qty INTEGER
END TABLE
"""


@pytest.mark.parametrize("content", ["", "title,qty\n", "title,qty,extra\n"])
def test_the_table_definition_gives_the_columns(tmp_path: Path, content: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "tickets.csv").write_text(content, encoding="utf-8")
    store = SqliteTableStore(tmp_path / "tables.db", data, lambda: None)
    for table in compile_source(TABLES).module.tables:
        store.declare_table(table)
    store.save("tickets", {"title": "printer", "qty": "3"})
    assert store.find("tickets", ALL_ROWS) == [{"id": 1, "title": "printer", "qty": 3}]
    with pytest.raises(DataError, match="unknown column"):
        store.save("tickets", {"title": "x", "colour": "red"})
    store.close()


def test_a_csv_with_rows_is_still_imported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "tickets.csv").write_text("title,qty\nscreen,2\n", encoding="utf-8")
    store = SqliteTableStore(tmp_path / "tables.db", data, lambda: None)
    for table in compile_source(TABLES).module.tables:
        store.declare_table(table)
    assert [r["title"] for r in store.find("tickets", ALL_ROWS)] == ["screen"]
    store.close()
