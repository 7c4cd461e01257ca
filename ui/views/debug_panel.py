"""The run/debug panel: state, call stack, variables, and the console (transcript + HEAR)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.controllers.debug import DebugController
from ui.views.chat import table
from ui.widgets.code_editor import monospace

_STATES = {"idle": "Not running — F5 runs the open script, F10 steps through it",
           "running": "Running…", "paused": "Paused", "waiting": "Waiting for an answer (HEAR)",
           "finished": "Finished — F5 to run again"}


class DebugInspector(QWidget):
    """Stack and variables, for the side of the editor."""

    def __init__(self, controller: DebugController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = QLabel(_STATES["idle"], wordWrap=True)
        self.stack = table(controller.stack, "Call stack")
        self.locals = table(controller.locals, "Variables", stretch=1)
        self.globals = table(controller.globals, "Script variables", stretch=1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        for title, widget in (("Call stack", self.stack), ("Variables", self.locals),
                              ("Script variables (inside a SUB or FUNCTION)", self.globals)):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(QLabel(f"<b>{title}</b>"))
            column.addWidget(widget)
            splitter.addWidget(box)
        splitter.setSizes([100, 220, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.state)
        layout.addWidget(splitter, 1)
        self.stack.clicked.connect(lambda index: controller.select_frame(index.row()))
        controller.state_changed.connect(lambda s: self.state.setText(_STATES.get(s) or s))
        controller.paused.connect(lambda p: self.state.setText(
            f"Paused at {p.script}.bas line {p.line} ({p.reason})"))


class DebugConsole(QWidget):
    """The run's transcript in conformance notation, and the box that answers a HEAR."""

    def __init__(self, controller: DebugController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.output = QPlainTextEdit(readOnly=True)
        self.output.setFont(monospace())
        self.output.setAccessibleName("Debug transcript")
        self.output.setPlaceholderText("< what the bot says   > your answers   # logs")
        self.input = QLineEdit(placeholderText="Answer the HEAR and press Enter")
        self.input.setAccessibleName("Answer")
        self.input.setEnabled(False)
        self.send = QPushButton("Answer")
        self.send.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.output, 1)
        layout.addLayout(row)
        self.input.returnPressed.connect(self._answer)
        self.send.clicked.connect(self._answer)
        controller.line.connect(self.output.appendPlainText)
        controller.state_changed.connect(self._state)

    def _state(self, state: str) -> None:
        if state == "running" and not self.controller.transcript:
            self.output.clear()
        waiting = state == "waiting"
        self.input.setEnabled(waiting)
        self.send.setEnabled(waiting)
        if waiting:
            self.input.setFocus()

    def _answer(self) -> None:
        text = self.input.text()
        self.input.clear()
        self.controller.answer(text)
