"""The Knowledge view: collections, the documents table (a drop zone), ingest progress, and the
search playground with every retriever's score."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engine.api import BotInfo
from ui.controllers.knowledge import KnowledgeController
from ui.models.table import DtoTableModel
from ui.theme import styled
from ui.views.chat import table


class KnowledgeView(QWidget):
    def __init__(self, controller: KnowledgeController, bots: DtoTableModel[BotInfo],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.bots = bots
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(self._header())
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._library())
        splitter.addWidget(self._playground())
        splitter.setSizes([430, 330])
        layout.addWidget(splitter, 1)
        self.banner = styled(QLabel(wordWrap=True), "banner")
        self.banner.hide()
        layout.addWidget(self.banner)
        self._connect()

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.bot_picker = QComboBox()
        self.bot_picker.setModel(self.bots)
        self.bot_picker.setAccessibleName("Bot")
        self.ingest = styled(QPushButton("Index all"), "primary")
        self.ingest.setToolTip("Index new and changed documents of every collection")
        self.stop = QPushButton("Stop")
        self.stop.setEnabled(False)
        row.addWidget(styled(QLabel("Knowledge"), "title"))
        row.addWidget(self.bot_picker)
        row.addStretch(1)
        row.addWidget(self.ingest)
        row.addWidget(self.stop)
        return row

    def _library(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.collections = table(self.controller.collections, "Collections")
        self.documents = table(self.controller.documents, "Documents")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Indexing progress")
        self.progress.hide()
        hint = QLabel("Drop files here to add them to the selected collection; they are copied "
                      "into the bot's .gbkb folder and indexed.", wordWrap=True)
        hint.setProperty("muted", True)
        row = QSplitter(Qt.Orientation.Horizontal)
        row.addWidget(self.collections)
        row.addWidget(self.documents)
        row.setSizes([300, 800])
        layout.addWidget(row, 1)
        layout.addWidget(self.progress)
        layout.addWidget(hint)
        return panel

    def _playground(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.query = QLineEdit(placeholderText="Ask the knowledge base…")
        self.query.setAccessibleName("Search query")
        self.mode = QComboBox()
        self.mode.addItems(["hybrid", "bm25", "dense"])
        self.mode.setAccessibleName("Retrieval mode")
        self.search = QPushButton("Search")
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Search playground</b>"))
        row.addWidget(self.query, 1)
        row.addWidget(self.mode)
        row.addWidget(self.search)
        self.hits = table(self.controller.hits, "Search results", stretch=5)
        layout.addLayout(row)
        layout.addWidget(self.hits, 1)
        return panel

    def _connect(self) -> None:
        c = self.controller
        self.bot_picker.activated.connect(
            lambda row: c.tasks.spawn(c.open_bot(self.bots.row(row).name)))
        self.collections.clicked.connect(
            lambda index: c.select_collection(c.collections.row(index.row()).name))
        self.ingest.clicked.connect(lambda: c.ingest())
        self.stop.clicked.connect(c.cancel)
        self.search.clicked.connect(self._search)
        self.query.returnPressed.connect(self._search)
        c.progress.connect(self._progress)
        c.busy_changed.connect(self._busy)
        c.error.connect(lambda m: self.show_banner(m, "error"))
        c.notice.connect(lambda m: self.show_banner(m, "ok"))

    def _search(self) -> None:
        if self.query.text().strip():
            self.controller.run_search(self.query.text(), self.mode.currentText())

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.progress.setFormat(text)
        self.progress.show()

    def _busy(self, busy: bool) -> None:
        self.ingest.setEnabled(not busy)
        self.stop.setEnabled(busy)
        if not busy:
            self.progress.hide()

    def select_bot(self, name: str) -> None:
        rows = self.bots.rows
        self.bot_picker.setCurrentIndex(next((i for i, b in enumerate(rows) if b.name == name),
                                             -1))

    def show_banner(self, message: str, role: str) -> None:
        self.banner.setText(message)
        self.banner.setProperty("role", role)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        files = [p for p in paths if p.is_file()]
        if files:
            self.controller.add_files(files)
            event.acceptProposedAction()
