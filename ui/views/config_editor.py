"""The config.csv editor: a key/value table with known-key completion and per-row problems."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.controllers.config_editor import ConfigEditorController
from ui.theme import styled


class KeyDelegate(QStyledItemDelegate):
    """Edits the key column with completion over the keys Hearth knows."""

    def __init__(self, keys: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = keys

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        if index.column() == 0:
            completer = QCompleter(self.keys, editor)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            editor.setCompleter(completer)
        return editor


class ConfigEditor(QWidget):
    def __init__(self, controller: ConfigEditorController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.table = QTableView()
        self.table.setModel(controller.model)
        self.table.setAccessibleName("Configuration")
        self.table.setItemDelegate(KeyDelegate(controller.known_keys(), self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.add = QPushButton("Add key")
        self.remove = QPushButton("Remove key")
        self.secret = QPushButton("Move secret to keyring")
        self.secret.setToolTip("Store the selected value in the OS keyring and write "
                               "keyring:NAME in config.csv instead")
        self.save = styled(QPushButton("Save"), "primary")
        self.stray = QLabel(wordWrap=True)
        self.stray.setProperty("muted", True)
        buttons = QHBoxLayout()
        for button in (self.add, self.remove, self.secret):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.stray)
        layout.addLayout(buttons)
        self.add.clicked.connect(self._add)
        self.remove.clicked.connect(lambda: controller.remove_row(self._row()))
        self.secret.clicked.connect(lambda: controller.move_secret(self._row()))
        self.save.clicked.connect(controller.save)
        controller.model.modelReset.connect(self._show_stray)
        self._show_stray()

    def _row(self) -> int:
        return self.table.currentIndex().row()

    def _add(self) -> None:
        row = self.controller.add_row()
        index = self.controller.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def _show_stray(self) -> None:
        lines = [f"line {p.line}: {p.message}" for p in self.controller.model.stray]
        self.stray.setText("\n".join(lines))
        self.stray.setVisible(bool(lines))
