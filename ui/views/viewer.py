"""The built-in document viewer a citation opens: the cited page, the passage highlighted.

PDF pages are rendered with PyMuPDF on a worker thread (the GUI thread only shows the
picture); text and Markdown sources show in a text browser with the passage selected. "Open
with system viewer" hands the file to the desktop (``#page=N`` where the viewer supports it).
"""

from __future__ import annotations

import asyncio
import importlib.util

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPixmap, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.services.files import SourceTarget

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".csv", ".json", ".html", ".htm", ".bas"}


def external_url(target: SourceTarget) -> QUrl:
    url = QUrl.fromLocalFile(str(target.path))
    if target.page and target.is_pdf:
        url.setFragment(f"page={target.page}")
    return url


def render_pdf_page(path: str, page: int, snippet: str) -> tuple[bytes, int]:
    """PNG bytes of ``page`` (1-based) with ``snippet`` highlighted, and the page count."""
    import pymupdf

    with pymupdf.open(path) as document:  # type: ignore[no-untyped-call]
        number = min(max(page, 1), document.page_count) - 1
        pdf_page = document[number]
        for rect in pdf_page.search_for(snippet[:80].strip())[:8] if snippet.strip() else []:
            annotation = pdf_page.add_highlight_annot(rect)
            annotation.update()
        zoom = pymupdf.Matrix(1.6, 1.6)  # type: ignore[no-untyped-call]
        pixmap = pdf_page.get_pixmap(matrix=zoom, annots=True)
        return pixmap.tobytes("png"), document.page_count


class DocumentViewer(QDialog):
    def __init__(self, target: SourceTarget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.page = target.page or 1
        self.pages = 0
        self.setWindowTitle(f"{target.path.name}" + (f" — page {self.page}" if target.page else ""))
        self.resize(820, 900)
        layout = QVBoxLayout(self)
        layout.addLayout(self._toolbar())
        if target.is_pdf and importlib.util.find_spec("pymupdf") is not None:
            self.picture = QLabel("Rendering…", alignment=Qt.AlignmentFlag.AlignCenter)
            scroll = QScrollArea(widgetResizable=True)
            scroll.setWidget(self.picture)
            layout.addWidget(scroll, 1)
            self._show_pdf_page()
        else:
            self.text = QTextBrowser()
            layout.addWidget(self.text, 1)
            self._show_text()

    def _toolbar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.where = QLabel(str(self.target.path))
        self.where.setProperty("muted", True)
        self.previous = QPushButton("◀ Page")
        self.next = QPushButton("Page ▶")
        outside = QPushButton("Open with system viewer")
        outside.clicked.connect(lambda: QDesktopServices.openUrl(external_url(self.target)))
        self.previous.clicked.connect(lambda: self._turn(-1))
        self.next.clicked.connect(lambda: self._turn(1))
        self.previous.setVisible(self.target.is_pdf)
        self.next.setVisible(self.target.is_pdf)
        row.addWidget(self.where, 1)
        for button in (self.previous, self.next, outside):
            row.addWidget(button)
        return row

    def _turn(self, step: int) -> None:
        if self.pages and 1 <= self.page + step <= self.pages:
            self.page += step
            self._show_pdf_page()

    def _show_pdf_page(self) -> None:
        self._rendering = asyncio.ensure_future(self._render())

    async def _render(self) -> None:
        loop = asyncio.get_running_loop()
        snippet = self.target.snippet if self.page == (self.target.page or 1) else ""
        try:
            png, self.pages = await loop.run_in_executor(
                None, render_pdf_page, str(self.target.path), self.page, snippet)
        except Exception as error:  # a damaged PDF: say so in place
            self.picture.setText(f"This PDF cannot be shown: {error}")
            return
        self.picture.setPixmap(QPixmap.fromImage(QImage.fromData(png)))
        self.setWindowTitle(f"{self.target.path.name} — page {self.page} of {self.pages}")

    def _show_text(self) -> None:
        path = self.target.path
        if path.suffix.lower() not in TEXT_SUFFIXES:
            self.text.setPlainText("This kind of document has no preview here: use "
                                   "“Open with system viewer”.")
            return
        content = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix.lower() in (".md", ".markdown"):
            self.text.setMarkdown(content)
        else:
            self.text.setPlainText(content)
        self._highlight(self.target.snippet)

    def _highlight(self, snippet: str) -> None:
        words = snippet.strip()[:60]
        if not words or not self.text.find(words):
            return
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setBackground(Qt.GlobalColor.yellow)
        fmt.setForeground(Qt.GlobalColor.black)
        selection.format = fmt
        selection.cursor = self.text.textCursor()
        self.text.setExtraSelections([selection])
        cursor = self.text.textCursor()
        cursor.clearSelection()
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock)
        self.text.setTextCursor(cursor)
        self.text.ensureCursorVisible()
