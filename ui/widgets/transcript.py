"""The conversation as rich text: one bubble per :class:`~ui.models.transcript.ChatEntry`.

Bubbles are rendered from Markdown (``QTextDocumentFragment.fromMarkdown``) into one-cell
tables. The widget follows its model incrementally: an inserted row appends a bubble, a
changed row re-renders only that bubble (coalesced to one repaint per frame while an answer
streams), a reset re-renders everything. Citation markers are ``cite:ROW:N`` links.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextFrameFormat,
    QTextLength,
    QTextTableFormat,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from ui import theme
from ui.models.transcript import ChatEntry, TranscriptModel

FRAME_MS = 33  # at most ~30 re-renders a second while streaming
Index = QModelIndex | QPersistentModelIndex
_LABELS = {"user": "You", "bot": "Bot", "tool": "Tool call", "error": "Problem",
           "notice": ""}


class ChatTranscript(QTextBrowser):
    citation_clicked = Signal(int, int)  # row, citation number
    link_clicked = Signal(QUrl)

    def __init__(self, model: TranscriptModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setAccessibleName("Conversation")
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._anchor)
        self.bot_name = "Bot"
        self._model = model
        self._starts: list[int] = []
        self._dirty: set[int] = set()
        self._flush_timer = QTimer(self, singleShot=True, interval=FRAME_MS)
        self._flush_timer.timeout.connect(self._flush)
        model.modelReset.connect(self.render_all)
        model.rowsInserted.connect(self._inserted)
        model.dataChanged.connect(self._changed)
        self.render_all()

    # -- model signals -------------------------------------------------------------------------
    def render_all(self) -> None:
        self._dirty.clear()
        self.document().clear()
        self._starts = []
        cursor = QTextCursor(self.document())
        for row in range(self._model.rowCount()):
            self._starts.append(cursor.position())
            self._render(cursor, row, self._model.entry(row))
        self._scroll_to_end()

    def _inserted(self, parent: Index, first: int, last: int) -> None:
        self._flush()
        following = self._at_end()
        for row in range(first, last + 1):
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            self._starts.append(cursor.position())
            self._render(cursor, row, self._model.entry(row))
        if following:
            self._scroll_to_end()

    def _changed(self, top: Index, bottom: Index, roles: object = None) -> None:
        self._dirty.update(range(top.row(), bottom.row() + 1))
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        following = self._at_end()
        for row in sorted(self._dirty):
            if row < len(self._starts):
                self._rerender(row)
        self._dirty.clear()
        if following:
            self._scroll_to_end()

    # -- rendering -----------------------------------------------------------------------------
    def _rerender(self, row: int) -> None:
        doc = self.document()
        start = self._starts[row]
        end = self._starts[row + 1] if row + 1 < len(self._starts) else doc.characterCount() - 1
        cursor = QTextCursor(doc)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.beginEditBlock()
        cursor.removeSelectedText()
        self._render(cursor, row, self._model.entry(row))
        cursor.endEditBlock()
        delta = cursor.position() - end
        for later in range(row + 1, len(self._starts)):
            self._starts[later] += delta

    def _render(self, cursor: QTextCursor, row: int, entry: ChatEntry) -> None:
        c = theme.current()
        cursor.setBlockFormat(QTextBlockFormat())
        cursor.setCharFormat(QTextCharFormat())
        if entry.role == "notice":
            cursor.insertHtml(f'<p style="color:{c.muted}"><i>{html.escape(entry.text)}</i></p>')
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            return
        fmt = self._bubble_format(entry)
        table = cursor.insertTable(1, 1, fmt)
        cell = table.cellAt(0, 0)
        cell_format = cell.format().toTableCellFormat()
        cell_format.setBackground(fmt.background())
        cell.setFormat(cell_format)
        inner = cell.firstCursorPosition()
        inner.insertHtml(self._header(entry))
        inner.insertBlock(QTextBlockFormat(), QTextCharFormat())
        if entry.role == "error":
            inner.insertHtml(f'<span style="color:{c.error}">{html.escape(entry.text)}</span>')
        else:
            inner.insertMarkdown(entry.markdown(row))
        if entry.citations and not entry.streaming:
            inner.insertBlock(QTextBlockFormat(), QTextCharFormat())
            inner.insertHtml(self._sources(row, entry))
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())

    def _bubble_format(self, entry: ChatEntry) -> QTextTableFormat:
        c = theme.current()
        fmt = QTextTableFormat()
        fmt.setBorder(1 if entry.role in ("tool", "error") else 0)
        fmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        fmt.setBorderBrush(QColor(c.error if entry.role == "error" else c.border))
        fmt.setCellPadding(10)
        fmt.setCellSpacing(0)
        fmt.setTopMargin(4)
        fmt.setBottomMargin(4)
        fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 86))
        background = c.user_bubble if entry.role == "user" else (
            c.alt if entry.role == "tool" else c.bot_bubble)
        fmt.setBackground(QColor(background))
        if entry.role == "user":
            fmt.setAlignment(Qt.AlignmentFlag.AlignRight)
        return fmt

    def _header(self, entry: ChatEntry) -> str:
        c = theme.current()
        label = self.bot_name if entry.role == "bot" else _LABELS[entry.role]
        colour = c.accent if entry.role == "bot" else (c.error if entry.role == "error"
                                                       else c.muted)
        state = " · writing…" if entry.streaming else ""
        when = entry.at.strftime("%H:%M")
        return (f'<span style="color:{colour}; font-weight:bold">{html.escape(label)}</span>'
                f'<span style="color:{c.muted}"> · {when}{state}</span>')

    def _sources(self, row: int, entry: ChatEntry) -> str:
        c = theme.current()
        chips = []
        for citation in entry.citations:
            name = citation.source.replace("\\", "/").rsplit("/", 1)[-1]
            page = f" p. {citation.page}" if citation.page else ""
            chips.append(f'<a href="cite:{row}:{citation.n}" style="color:{c.accent}">'
                         f'[{citation.n}] {html.escape(name)}{page}</a>')
        return f'<span style="color:{c.muted}">Sources: </span>' + " &nbsp; ".join(chips)

    # -- links and scrolling -------------------------------------------------------------------
    def _anchor(self, url: QUrl) -> None:
        if url.scheme() == "cite":
            parts = url.path().split(":")
            if len(parts) == 2 and all(p.isdigit() for p in parts):
                self.citation_clicked.emit(int(parts[0]), int(parts[1]))
                return
        self.link_clicked.emit(url)

    def _at_end(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
