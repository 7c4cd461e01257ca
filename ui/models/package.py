"""A bot package as a tree: its sub-packages (dialogs, knowledge, config, data, drive) and
their files. Each item carries its path; folders come first, then files, by name."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from engine.bots.package import BotPackage

PATH_ROLE = Qt.ItemDataRole.UserRole + 3
_KINDS = {"gbdialog": "Dialogs", "gbkb": "Knowledge", "gbot": "Config", "gbdata": "Data",
          "gbdrive": "Drive", "gbtheme": "Theme"}
_ORDER = list(_KINDS)
_HIDDEN = (".", "__")


def section_label(folder: Path) -> str:
    kind = folder.suffix.lstrip(".")
    return f"{_KINDS[kind]}  ({folder.name})" if kind in _KINDS else folder.name


class PackageTreeModel(QStandardItemModel):
    def __init__(self) -> None:
        super().__init__()
        self.setHorizontalHeaderLabels(["Package"])
        self.root: Path | None = None

    def load(self, package: BotPackage | None) -> None:
        self.clear()
        self.setHorizontalHeaderLabels([package.name + ".gbai" if package else "Package"])
        self.root = package.root if package else None
        if package is None or not package.root.is_dir():
            return
        folders = sorted((p for p in package.root.iterdir() if p.is_dir()
                          and not p.name.startswith(_HIDDEN)), key=_section_order)
        for folder in folders:
            item = self._item(folder, section_label(folder))
            self._fill(item, folder)
            self.appendRow(item)
        for file in sorted(p for p in package.root.iterdir() if p.is_file()):
            self.appendRow(self._item(file, file.name))

    def _fill(self, parent: QStandardItem, folder: Path) -> None:
        entries = sorted((p for p in folder.iterdir() if not p.name.startswith(_HIDDEN)),
                         key=lambda p: (p.is_file(), p.name.lower()))
        for entry in entries:
            item = self._item(entry, entry.name)
            if entry.is_dir():
                self._fill(item, entry)
            parent.appendRow(item)

    @staticmethod
    def _item(path: Path, label: str) -> QStandardItem:
        item = QStandardItem(label)
        item.setEditable(False)
        item.setData(str(path), PATH_ROLE)
        item.setToolTip(str(path))
        return item

    def paths(self) -> list[Path]:
        """Every file in the tree, depth first (for tests)."""
        found: list[Path] = []

        def walk(item: QStandardItem) -> None:
            path = Path(item.data(PATH_ROLE))
            if path.is_file():
                found.append(path)
            for row in range(item.rowCount()):
                child = item.child(row)
                if child is not None:
                    walk(child)

        for row in range(self.rowCount()):
            top = self.item(row)
            if top is not None:
                walk(top)
        return found


def _section_order(folder: Path) -> tuple[int, str]:
    kind = folder.suffix.lstrip(".")
    return (_ORDER.index(kind) if kind in _ORDER else len(_ORDER), folder.name)
