"""Suggestion pills and switcher toggles above the chat input."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QWidget

from engine.events import SuggestionDTO, SwitcherDTO
from ui.widgets.flow import FlowLayout


class SuggestionBar(QWidget):
    chosen = Signal(object)  # SuggestionDTO

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = FlowLayout(self)
        self.setAccessibleName("Suggestions")
        self.buttons: list[QPushButton] = []

    def show_suggestions(self, suggestions: list[SuggestionDTO]) -> None:
        self._layout.clear()
        self.buttons = []
        for suggestion in suggestions:
            label = f"⚙ {suggestion.text}" if suggestion.kind == "tool" else suggestion.text
            button = QPushButton(label, self)
            button.setObjectName("pill")
            button.setAccessibleName(f"Suggestion: {suggestion.text}")
            button.clicked.connect(lambda _=False, s=suggestion: self.chosen.emit(s))
            self._layout.addWidget(button)
            self.buttons.append(button)
        self.setVisible(bool(suggestions))
        self.updateGeometry()


class SwitcherBar(QWidget):
    toggled = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = FlowLayout(self)
        self.setAccessibleName("Switchers")
        self.buttons: list[QPushButton] = []

    def show_switchers(self, switchers: list[tuple[SwitcherDTO, bool]]) -> None:
        self._layout.clear()
        self.buttons = []
        for switcher, active in switchers:
            button = QPushButton(switcher.label, self)
            button.setObjectName("switcher")
            button.setCheckable(True)
            button.setChecked(active)
            button.setAccessibleName(f"Switcher: {switcher.label}")
            button.toggled.connect(lambda on, s=switcher: self.toggled.emit(s.id, on))
            self._layout.addWidget(button)
            self.buttons.append(button)
        self.setVisible(bool(switchers))
        self.updateGeometry()
