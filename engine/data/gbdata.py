"""Data files of a bot's ``.gbdata`` folder, read for import into a table (BASIC.md §7.1, §14.3).

A table that does not exist yet is imported from ``<bot>.gbdata/<file>`` when the file's name
normalises to the table's name, so ``"products"`` and ``"products.csv"`` both find
``products.csv``. Column types are inferred from the cells: integer, float, boolean
(``true``/``false``), ISO date, ISO date-time, else text; empty cells are null.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from engine.basic.errors import DataError
from engine.basic.filters import parse_date_text
from engine.basic.names import column_name, table_name
from engine.basic.query import ColumnType, Value
from engine.basic.values import parse_numeric
from engine.data.schema import ColumnSpec

_DELIMITERS: Final = {".csv": ",", ".tsv": "\t"}
_INTEGER: Final = re.compile(r"[+-]?\d+")


@dataclass(frozen=True, slots=True)
class DataFile:
    columns: tuple[ColumnSpec, ...]
    rows: tuple[dict[str, Value], ...]


def find_data_file(folder: Path | None, table: str) -> Path | None:
    """The file of ``folder`` whose normalised name is ``table``, if any."""
    if folder is None or not folder.is_dir():
        return None
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in _DELIMITERS and path.is_file() and _names(path, table):
            return path
    return None


def _names(path: Path, table: str) -> bool:
    try:
        return table_name(path.name) == table
    except DataError:
        return False


def read_data_file(path: Path) -> DataFile:
    """The file's columns (types inferred) and rows (cells converted, empty → null)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle, delimiter=_DELIMITERS[path.suffix.lower()]))
    if not records:
        raise DataError(f"data file '{path.name}' is empty")
    names = [column_name(cell) for cell in records[0]]
    if len(set(names)) != len(names):
        raise DataError(f"data file '{path.name}' has duplicate column names")
    body = [_padded(record, len(names)) for record in records[1:] if any(c.strip() for c in record)]
    types = [_infer([row[i] for row in body]) for i in range(len(names))]
    columns = tuple(ColumnSpec(n, t) for n, t in zip(names, types))
    rows = tuple({c.name: _cell(row[i], c.type) for i, c in enumerate(columns)} for row in body)
    return DataFile(columns, rows)


def _padded(record: list[str], width: int) -> list[str]:
    return (record + [""] * width)[:width]


def _infer(cells: list[str]) -> ColumnType:
    present = [c.strip() for c in cells if c.strip()]
    if not present:
        return "text"
    for column_type, test in _TESTS:
        if all(test(cell) for cell in present):
            return column_type
    return "text"


def _is_date(cell: str) -> bool:
    parsed = parse_date_text(cell)
    return parsed is not None and len(cell) == 10


def _is_datetime(cell: str) -> bool:
    return parse_date_text(cell) is not None and len(cell) > 10


_TESTS: Final[tuple[tuple[ColumnType, Callable[[str], bool]], ...]] = (
    ("integer", lambda cell: _INTEGER.fullmatch(cell) is not None),
    ("float", lambda cell: parse_numeric(cell) is not None),
    ("boolean", lambda cell: cell.lower() in ("true", "false")),
    ("date", _is_date),
    ("datetime", _is_datetime),
)


def _cell(raw: str, column_type: ColumnType) -> Value:
    cell = raw.strip()
    if not cell:
        return None
    if column_type == "integer":
        return int(cell)
    if column_type == "float":
        return float(cell)
    if column_type == "boolean":
        return cell.lower() == "true"
    if column_type in ("date", "datetime"):
        return parse_date_text(cell)
    return raw
