"""``config.csv`` as an editable two-column table (key, value) with a problem per row.

The model reads and writes the CSV text itself (``name,value`` header, one row per key, values
quoted when they hold a comma or a quote) and re-checks a row whenever it is edited.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from engine.bots.config import normalise_key
from ui import theme
from ui.services.config_keys import ConfigProblem, check_config, check_row

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Key", "Value", "Problem")


@dataclass(frozen=True, slots=True)
class ConfigRow:
    key: str
    value: str
    problems: tuple[ConfigProblem, ...] = ()

    @property
    def problem(self) -> str:
        return "; ".join(p.message for p in self.problems)

    @property
    def has_secret(self) -> bool:
        return any(p.secret for p in self.problems)


def rows_from_text(text: str) -> tuple[list[ConfigRow], list[ConfigProblem]]:
    """The rows of a config text, and the problems of lines that are not rows."""
    problems = check_config(text)
    rows: list[ConfigRow] = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "," not in stripped:
            continue
        key, value = stripped.split(",", 1)
        if number == 1 and normalise_key(key) in ("name", "key"):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('""', '"')
        rows.append(ConfigRow(key.strip(), value,
                              tuple(p for p in problems if p.line == number and p.key)))
    stray = [p for p in problems if not p.key]
    return rows, stray


def text_from_rows(rows: list[ConfigRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "value"])
    for row in rows:
        if row.key.strip():
            writer.writerow([row.key.strip(), row.value])
    return out.getvalue()


class ConfigTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ConfigRow] = []
        self.stray: list[ConfigProblem] = []

    # -- Qt ----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.column() < 2 else base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (row.key, row.value, row.problem)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2 and row.problems:
            c = theme.current()
            return QBrush(QColor(c.warning))
        if role == Qt.ItemDataRole.ToolTipRole and row.problems:
            return row.problem
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() > 1:
            return False
        row = self._rows[index.row()]
        changed = replace(row, key=str(value)) if index.column() == 0 else replace(
            row, value=str(value))
        self._rows[index.row()] = self._checked(changed, index.row() + 2)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), 2))
        return True

    # -- rows --------------------------------------------------------------------------------
    @property
    def rows(self) -> list[ConfigRow]:
        return list(self._rows)

    def load_text(self, text: str) -> None:
        self.beginResetModel()
        self._rows, self.stray = rows_from_text(text)
        self.endResetModel()

    def text(self) -> str:
        return text_from_rows(self._rows)

    def add_row(self, key: str = "", value: str = "") -> int:
        at = len(self._rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.append(self._checked(ConfigRow(key, value), at + 2))
        self.endInsertRows()
        return at

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    def set_value(self, row: int, value: str) -> None:
        self.setData(self.index(row, 1), value)

    def problems(self) -> list[str]:
        found = [f"line {p.line}: {p.message}" for p in self.stray]
        found += [f"{r.key}: {p.message}" for r in self._rows for p in r.problems]
        return found

    @staticmethod
    def _checked(row: ConfigRow, line: int) -> ConfigRow:
        return replace(row, problems=tuple(check_row(line, row.key, row.value)))
