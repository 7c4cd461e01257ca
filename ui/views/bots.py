"""The Bots view (designer): package tree, editor tabs, problems, console, schema, debugger.

Layout and wiring only; the logic is in :class:`DesignerController` (documents, problems,
reload) and :class:`DebugController` (runs).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui.controllers.debug import DebugController
from ui.controllers.designer import DesignerController, OpenDocument
from ui.models.package import PATH_ROLE
from ui.theme import styled
from ui.views.chat import table
from ui.views.config_editor import ConfigEditor
from ui.views.debug_panel import DebugConsole, DebugInspector
from ui.views.new_bot import NewBotDialog
from ui.widgets.code_editor import CodeEditor, monospace

_RUN_KEYS = (("Run", "F5"), ("Step", "F10"), ("Into", "F11"), ("Out", "Shift+F11"),
             ("Stop", "Shift+F5"))


class BotsView(QWidget):
    def __init__(self, designer: DesignerController, debug: DebugController,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.designer = designer
        self.debug = debug
        self.editors: dict[Path, QWidget] = {}
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self._toolbar())
        layout.addWidget(self._body(), 1)
        self.banner = styled(QLabel(wordWrap=True), "banner")
        self.banner.hide()
        layout.addWidget(self.banner)
        self._connect()

    # -- layout --------------------------------------------------------------------------------
    def _toolbar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.bot_picker = QComboBox()
        self.bot_picker.setAccessibleName("Bot")
        self.bot_picker.setModel(self.designer.bots)
        self.bot_picker.setMinimumWidth(180)
        self.new_bot = QPushButton("New bot…")
        self.save = QPushButton("Save")
        self.save.setToolTip("Save the open file (Ctrl+S)")
        row.addWidget(self.bot_picker)
        row.addWidget(self.new_bot)
        row.addWidget(self.save)
        row.addSpacing(16)
        self.run_buttons: dict[str, QPushButton] = {}
        for label, key in _RUN_KEYS:
            button = QPushButton(label)
            button.setToolTip(f"{label} ({key})")
            button.setAccessibleName(f"{label} ({key})")
            row.addWidget(button)
            self.run_buttons[label] = button
            QShortcut(QKeySequence(key), self, button.click)
        row.addStretch(1)
        return row

    def _body(self) -> QSplitter:
        self.tree = QTreeView()
        self.tree.setModel(self.designer.tree)
        self.tree.setAccessibleName("Package files")
        self.tabs = QTabWidget(tabsClosable=True, documentMode=True)
        self.tabs.setAccessibleName("Open files")
        self.problems = table(self.designer.problems, "Problems", stretch=3)
        self.console = DebugConsole(self.debug)
        self.schema = QPlainTextEdit(readOnly=True)
        self.schema.setFont(monospace())
        self.schema.setAccessibleName("Tool schema")
        self.schema.setPlaceholderText("This script is not a tool: add PARAM or DESCRIPTION "
                                       "lines to make it one, and its OpenAI tool schema "
                                       "shows here.")
        self.bottom = QTabWidget(documentMode=True)
        self.bottom.addTab(self.problems, "Problems")
        self.bottom.addTab(self.console, "Console")
        self.bottom.addTab(self.schema, "Tool schema")
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(self.tabs)
        centre.addWidget(self.bottom)
        centre.setSizes([520, 220])
        self.inspector = DebugInspector(self.debug)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.tree)
        body.addWidget(centre)
        body.addWidget(self.inspector)
        body.setSizes([220, 760, 280])
        body.setStretchFactor(1, 1)
        return body

    # -- wiring --------------------------------------------------------------------------------
    def _connect(self) -> None:
        d, g = self.designer, self.debug
        self.bot_picker.activated.connect(lambda row: d.select_bot(d.bots.row(row).name))
        self.new_bot.clicked.connect(self._new_bot)
        self.save.clicked.connect(lambda: d.save())
        QShortcut(QKeySequence.StandardKey.Save, self, lambda: d.save())
        self.tree.activated.connect(self._tree_open)
        self.tree.clicked.connect(self._tree_open)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.problems.activated.connect(self._jump_to_problem)
        self.problems.clicked.connect(self._jump_to_problem)
        self.run_buttons["Run"].clicked.connect(self._run)
        self.run_buttons["Step"].clicked.connect(self._step)
        self.run_buttons["Into"].clicked.connect(g.step_into)
        self.run_buttons["Out"].clicked.connect(g.step_out)
        self.run_buttons["Stop"].clicked.connect(g.stop)
        d.bot_changed.connect(self._bot_changed)
        d.document_opened.connect(self.show_document)
        d.document_reloaded.connect(self._reloaded)
        d.diagnostics_changed.connect(self._diagnostics)
        d.modified_changed.connect(self._modified)
        d.schema_changed.connect(self.schema.setPlainText)
        d.error.connect(lambda m: self.show_banner(m, "error"))
        d.notice.connect(lambda m: self.show_banner(m, "ok"))
        g.error.connect(lambda m: self.show_banner(m, "error"))
        g.paused.connect(self._paused)
        g.state_changed.connect(self._debug_state)
        self._debug_state("idle")

    def _bot_changed(self, name: str) -> None:
        self.tabs.clear()
        self.editors.clear()
        rows = self.designer.bots.rows
        self.bot_picker.setCurrentIndex(next((i for i, b in enumerate(rows) if b.name == name),
                                             -1))
        self.tree.expandToDepth(0)

    def _tree_open(self, index: QModelIndex) -> None:
        path = index.data(PATH_ROLE)
        if path and Path(path).is_file():
            self.designer.open(Path(path))

    def show_document(self, document: OpenDocument) -> None:
        widget = self.editors.get(document.path)
        if widget is None:
            widget = self._editor_for(document)
            self.editors[document.path] = widget
            self.tabs.addTab(widget, document.path.name)
        self.tabs.setCurrentWidget(widget)

    def _editor_for(self, document: OpenDocument) -> QWidget:
        if document.is_config:
            return ConfigEditor(self.designer.config_editor(document))
        editor = CodeEditor() if document.is_script else QPlainTextEdit()
        if not document.is_script:
            editor.setFont(monospace())
        self._loading = True
        editor.setPlainText(document.text)
        self._loading = False
        editor.textChanged.connect(lambda: self._edited(document.path, editor))
        if isinstance(editor, CodeEditor):
            editor.set_diagnostics(document.diagnostics)
            editor.set_breakpoints(self.debug.breakpoints.lines(document.path.stem))
            editor.breakpoint_toggled.connect(
                lambda line, on, stem=document.path.stem: self._breakpoint(stem, line, on))
        return editor

    def _edited(self, path: Path, editor: QPlainTextEdit) -> None:
        if not self._loading:
            self.designer.edit(path, editor.toPlainText())

    def _reloaded(self, document: OpenDocument) -> None:
        editor = self.editors.get(document.path)
        if isinstance(editor, QPlainTextEdit):
            position = editor.textCursor().position()
            self._loading = True
            editor.setPlainText(document.text)
            self._loading = False
            cursor = editor.textCursor()
            cursor.setPosition(min(position, len(document.text)))
            editor.setTextCursor(cursor)
        self.show_banner(f"{document.path.name} changed on disk and was reloaded.", "ok")

    def _diagnostics(self, document: OpenDocument) -> None:
        editor = self.editors.get(document.path)
        if isinstance(editor, CodeEditor):
            editor.set_diagnostics(document.diagnostics)

    def _modified(self, document: OpenDocument) -> None:
        widget = self.editors.get(document.path)
        if widget is not None:
            mark = " •" if document.modified else ""
            self.tabs.setTabText(self.tabs.indexOf(widget), document.path.name + mark)

    def _close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        path = next((p for p, w in self.editors.items() if w is widget), None)
        if path is not None:
            self.editors.pop(path)
            self.designer.close(path)
        self.tabs.removeTab(index)

    def _tab_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        path = next((p for p, w in self.editors.items() if w is widget), None)
        if path is not None and path != self.designer.current:
            self.designer.open(path)

    def _jump_to_problem(self, index: QModelIndex) -> None:
        location = self.designer.problem_location(index.row())
        if location is None:
            return
        path, line, col = location
        self.designer.open(path)
        editor = self.editors.get(path)
        if isinstance(editor, CodeEditor):
            editor.jump_to(line, col)

    def _new_bot(self) -> None:
        dialog = NewBotDialog(self.designer.templates(), self)
        if dialog.exec() and dialog.name.text().strip():
            self.designer.new_bot(dialog.name.text(), dialog.template)

    # -- running and debugging -------------------------------------------------------------------
    def _current_script(self) -> tuple[str, str] | None:
        path = self.designer.current
        document = self.designer.documents.get(path) if path else None
        if document is None or not document.is_script:
            self.show_banner("Open a .bas script to run it.", "error")
            return None
        return document.path.stem, document.text

    def _run(self) -> None:
        if self.debug.state == "paused":
            self.debug.run()
        elif (script := self._current_script()) and self.designer.bot:
            self.bottom.setCurrentWidget(self.console)
            self.debug.start(self.designer.bot, script[0], script[1])

    def _step(self) -> None:
        if self.debug.state == "paused":
            self.debug.step_over()
        elif (script := self._current_script()) and self.designer.bot:
            self.bottom.setCurrentWidget(self.console)
            self.debug.start(self.designer.bot, script[0], script[1], step=True)

    def _breakpoint(self, script: str, line: int, on: bool) -> None:
        if self.debug.toggle_breakpoint(script, line) != on:
            self.debug.toggle_breakpoint(script, line)

    def _paused(self, paused: object) -> None:
        script, line = getattr(paused, "script", ""), getattr(paused, "line", 0)
        package = self.designer.package
        path = package.script(script) if package else None
        if path is not None:
            self.designer.open(path)
        for editor_path, editor in self.editors.items():
            if isinstance(editor, CodeEditor):
                editor.set_paused_line(line if editor_path == path else None)

    def _debug_state(self, state: str) -> None:
        active = state in ("paused",)
        for label in ("Into", "Out"):
            self.run_buttons[label].setEnabled(active)
        self.run_buttons["Stop"].setEnabled(state in ("running", "paused", "waiting"))
        self.run_buttons["Run"].setText("Continue" if active else "Run")
        if state != "paused":
            for editor in self.editors.values():
                if isinstance(editor, CodeEditor):
                    editor.set_paused_line(None)

    def show_banner(self, message: str, role: str) -> None:
        self.banner.setText(message)
        self.banner.setProperty("role", role)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()
