"""The template gallery: one card per template (its description), a name, and Create."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)


class NewBotDialog(QDialog):
    def __init__(self, templates: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New bot")
        self.resize(560, 460)
        self.gallery = QListWidget()
        self.gallery.setAccessibleName("Templates")
        self.gallery.setWordWrap(True)
        self.gallery.setSpacing(4)
        for name, description in templates:
            item = QListWidgetItem(f"{name}\n{description or 'No description.'}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.gallery.addItem(item)
        self.gallery.setCurrentRow(0)
        self.name = QLineEdit(placeholderText="letters, digits, - and _")
        self.name.setAccessibleName("Bot name")
        form = QFormLayout()
        form.addRow("Name", self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Start from a template</b>"))
        layout.addWidget(self.gallery, 1)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @property
    def template(self) -> str:
        item = self.gallery.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else "starter"
