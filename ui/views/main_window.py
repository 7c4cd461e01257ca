"""The main window: a navigation rail on the left and one page per section.

It only lays out what the composition root (:mod:`ui.shell`) gives it: a list of
:class:`Section` values. Sections that do not work yet are simply not given (UX.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.theme import styled
from ui.widgets import icons


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    icon: str  # a shape of ui.widgets.icons
    widget: QWidget
    on_show: Callable[[], None] | None = None


class MainWindow(QMainWindow):
    closing = Signal()

    def __init__(self, sections: Sequence[Section] = (), title: str = "Hearth") -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.resize(1280, 800)
        self.sections: list[Section] = []
        self.buttons: dict[str, QToolButton] = {}
        self.pages = QStackedWidget()
        self.setCentralWidget(QLabel("Starting Hearth…", alignment=Qt.AlignmentFlag.AlignCenter))
        if sections:
            self.set_sections(sections)

    def set_sections(self, sections: Sequence[Section]) -> None:
        """Lay out the rail and the pages (the window can show before they exist)."""
        self.sections = list(sections)
        self.buttons = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self.pages = QStackedWidget()
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._rail())
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        for index, section in enumerate(self.sections):
            self.pages.addWidget(section.widget)
            QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self,
                      lambda key=section.key: self.show_section(key))
        if self.sections:
            self.show_section(self.sections[0].key)

    def _rail(self) -> QWidget:
        rail = styled(QWidget(), "rail")
        rail.setFixedWidth(76)
        column = QVBoxLayout(rail)
        column.setContentsMargins(6, 10, 6, 10)
        column.setSpacing(4)
        for section in self.sections:
            button = styled(QToolButton(), "railButton")
            button.setText(section.label)
            button.setIcon(icons.icon(section.icon))
            button.setIconSize(QSize(22, 22))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setCheckable(True)
            button.setFixedWidth(64)
            button.setAccessibleName(section.label)
            button.clicked.connect(lambda _=False, key=section.key: self.show_section(key))
            self._group.addButton(button)
            self.buttons[section.key] = button
            if section.key == "settings":
                column.addStretch(1)
            column.addWidget(button)
        if "settings" not in self.buttons:
            column.addStretch(1)
        return rail

    def show_section(self, key: str) -> None:
        for index, section in enumerate(self.sections):
            if section.key == key:
                self.pages.setCurrentIndex(index)
                self.buttons[key].setChecked(True)
                if section.on_show is not None:
                    section.on_show()
                return

    @property
    def current_section(self) -> str:
        return self.sections[self.pages.currentIndex()].key

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
