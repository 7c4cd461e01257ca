"""A read-only table model over a list of engine DTOs, described by its columns.

Every list in the desktop (sessions, problems, variables, documents, search hits, models...)
is one of these: a column is a header and a function of the row's DTO, optionally with a
tooltip, a foreground role (``error``/``warning``/``ok``/``muted``) and an alignment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ui import theme

T = TypeVar("T")
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    header: str
    value: Callable[[T], Any]
    tooltip: Callable[[T], str] | None = None
    tone: Callable[[T], str | None] | None = None
    right: bool = False


class DtoTableModel(QAbstractTableModel, Generic[T]):
    def __init__(self, columns: Sequence[Column[T]], rows: Sequence[T] = ()) -> None:
        super().__init__()
        self.columns = list(columns)
        self._rows: list[T] = list(rows)

    # -- Qt ----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = column.value(row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.ForegroundRole and column.tone is not None:
            return _brush(column.tone(row))
        if role == Qt.ItemDataRole.TextAlignmentRole and column.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        return None

    # -- rows --------------------------------------------------------------------------------
    @property
    def rows(self) -> list[T]:
        return list(self._rows)

    def row(self, index: int) -> T:
        return self._rows[index]

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def replace_row(self, index: int, row: T) -> None:
        self._rows[index] = row
        self.dataChanged.emit(self.index(index, 0), self.index(index, len(self.columns) - 1))

    def append(self, row: T) -> None:
        at = len(self._rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.append(row)
        self.endInsertRows()

    def cell(self, row: int, column: int) -> str:
        """The text shown in a cell (for tests and accessibility)."""
        value = self.data(self.index(row, column))
        return str(value) if value is not None else ""


def _brush(tone: str | None) -> QBrush | None:
    if tone is None:
        return None
    c = theme.current()
    colour = {"error": c.error, "warning": c.warning, "ok": c.ok, "muted": c.muted}.get(tone)
    return QBrush(QColor(colour)) if colour else None
