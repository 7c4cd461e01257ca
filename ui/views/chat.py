"""The Chat view: sessions on the left, the conversation in the middle, sources on the right.

Layout only: every gesture goes to :class:`~ui.controllers.chat.ChatController`, and every
change comes back as a model update or a signal.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.controllers.chat import ChatController
from ui.services.files import SourceTarget
from ui.theme import styled
from ui.widgets.pills import SuggestionBar, SwitcherBar
from ui.widgets.transcript import ChatTranscript


class Composer(QPlainTextEdit):
    """The message box: Enter or Ctrl+Enter sends, Shift+Enter starts a new line."""

    def __init__(self, on_send: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_send = on_send
        self.setPlaceholderText("Type a message…  (Enter to send, Shift+Enter for a new line)")
        self.setAccessibleName("Message")
        self.setFixedHeight(64)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._on_send()  # type: ignore[operator]
            return
        super().keyPressEvent(event)


def table(model: object, name: str, stretch: int = 0) -> QTableView:
    view = QTableView()
    view.setModel(model)  # type: ignore[arg-type]
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    view.setWordWrap(False)
    return view


class ChatView(QWidget):
    def __init__(self, controller: ChatController, voice: QWidget | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setAcceptDrops(True)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._sessions_panel())
        splitter.addWidget(self._conversation_panel(voice))
        splitter.addWidget(self._sources_panel())
        splitter.setSizes([230, 720, 250])
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._connect()

    # -- panels ------------------------------------------------------------------------------
    def _sessions_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(8, 8, 4, 8)
        self.bot_picker = QComboBox()
        self.bot_picker.setAccessibleName("Bot")
        self.bot_picker.setModel(self.controller.bots)
        self.new_button = QPushButton("New conversation")
        self.new_button.setShortcut(QKeySequence("Ctrl+N"))
        self.search = QLineEdit(placeholderText="Search conversations")
        self.search.setAccessibleName("Search conversations")
        self._filter = QSortFilterProxyModel(self)
        self._filter.setSourceModel(self.controller.sessions)
        self._filter.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.session_list = table(self._filter, "Conversations")
        self.session_list.horizontalHeader().hide()
        self.session_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        for widget in (self.bot_picker, self.new_button, self.search, self.session_list):
            layout.addWidget(widget)
        return panel

    def _conversation_panel(self, voice: QWidget | None) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 8, 4, 8)
        self.title = styled(QLabel("New conversation"), "title")
        self.restart = QToolButton()
        self.restart.setText("Restart")
        self.restart.setToolTip("Start this conversation's dialog over")
        self.model = QLabel("")
        self.model.setProperty("muted", True)
        self.model.setAccessibleName("Model that answered")
        self.model.hide()
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.model)
        header.addWidget(self.restart)
        self.transcript = ChatTranscript(self.controller.transcript)
        self.error = styled(QLabel(wordWrap=True), "banner")
        self.error.setProperty("role", "error")
        self.error.hide()
        self.switchers = SwitcherBar()
        self.switchers.hide()
        self.suggestions = SuggestionBar()
        self.suggestions.hide()
        layout.addLayout(header)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.switchers)
        layout.addWidget(self.suggestions)
        layout.addLayout(self._composer_row(voice))
        return panel

    def _composer_row(self, voice: QWidget | None) -> QHBoxLayout:
        row = QHBoxLayout()
        self.attach = QToolButton()
        self.attach.setText("Attach…")
        self.attach.setToolTip("Attach files (they are copied into the bot's drive)")
        self.attach.setAccessibleName("Attach files")
        self.composer = Composer(self._send)
        self.send_button = styled(QPushButton("Send"), "primary")
        self.send_button.setAccessibleName("Send")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop generating")
        self.stop_button.setToolTip("Stop generating (Esc)")
        self.stop_button.hide()
        row.addWidget(self.attach, 0, Qt.AlignmentFlag.AlignBottom)
        if voice is not None:
            row.addWidget(voice, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.composer, 1)
        row.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        return row

    def _sources_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 8, 8, 8)
        layout.addWidget(QLabel("<b>Sources</b>"))
        self.sources = table(self.controller.sources, "Sources", stretch=1)
        self.sources.horizontalHeader().hide()
        layout.addWidget(self.sources, 1)
        hint = QLabel("Answers that use the bot's knowledge base list their sources here; "
                      "click one to open the document at the cited page.", wordWrap=True)
        hint.setProperty("muted", True)
        layout.addWidget(hint)
        return panel

    # -- wiring ------------------------------------------------------------------------------
    def _connect(self) -> None:
        c = self.controller
        self.bot_picker.activated.connect(lambda row: c.select_bot(c.bots.row(row).name))
        self.new_button.clicked.connect(c.new_session)
        self.search.textChanged.connect(self._filter.setFilterFixedString)
        self.session_list.clicked.connect(self._session_clicked)
        self.session_list.customContextMenuRequested.connect(self._session_menu)
        self.restart.clicked.connect(c.reset_session)
        self.send_button.clicked.connect(self._send)
        self.stop_button.clicked.connect(c.stop)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, c.stop)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._send)
        self.attach.clicked.connect(self._pick_files)
        self.suggestions.chosen.connect(c.choose)
        self.switchers.toggled.connect(c.toggle_switcher)
        self.transcript.citation_clicked.connect(c.open_citation)
        self.transcript.link_clicked.connect(QDesktopServices.openUrl)
        self.sources.clicked.connect(lambda i: c.show_citation(c.sources.row(i.row())))
        c.suggestions_changed.connect(self.suggestions.show_suggestions)
        c.switchers_changed.connect(self.switchers.show_switchers)
        c.busy_changed.connect(self._busy)
        c.streaming_changed.connect(self._streaming)
        c.session_changed.connect(self.title.setText)
        c.model_changed.connect(self._model_changed)
        c.bot_changed.connect(self._bot_changed)
        c.error.connect(self.show_error)
        c.notice.connect(self.show_error)
        c.citation_opened.connect(self.open_source)
        c.link_opened.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))

    def _model_changed(self, name: str) -> None:
        self.model.setText(f"Answered by {name}" if name else "")
        self.model.setVisible(bool(name))

    def _send(self) -> None:
        text = self.composer.toPlainText()
        if text.strip() and not self.controller.busy:
            self.composer.clear()
            self.error.hide()
            self.controller.send(text)

    def _busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)

    def _streaming(self, streaming: bool) -> None:
        self.stop_button.setVisible(streaming)
        self.send_button.setVisible(not streaming)

    def _bot_changed(self, name: str) -> None:
        rows = self.controller.bots.rows
        index = next((i for i, b in enumerate(rows) if b.name == name), -1)
        self.bot_picker.setCurrentIndex(index)
        if index >= 0:
            self.transcript.bot_name = rows[index].title

    def _session_clicked(self, index: object) -> None:
        row = self._filter.mapToSource(index).row()  # type: ignore[arg-type]
        self.controller.select_session(self.controller.sessions.row(row).id)

    def _session_menu(self, point: object) -> None:
        index = self.session_list.indexAt(point)  # type: ignore[arg-type]
        if not index.isValid():
            return
        summary = self.controller.sessions.row(self._filter.mapToSource(index).row())
        menu = QMenu(self)
        menu.addAction("Delete conversation", lambda: self.controller.delete_session(summary.id))
        menu.exec(self.session_list.viewport().mapToGlobal(point))  # type: ignore[call-overload]

    def _pick_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Attach files")
        if paths:
            self.controller.attach_files(Path(p) for p in paths)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def open_source(self, target: SourceTarget) -> None:
        from ui.views.viewer import DocumentViewer

        DocumentViewer(target, self).open()

    # -- drag and drop -----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.controller.attach_files(paths)
            event.acceptProposedAction()
