"""The BASIC editor: line numbers and breakpoints in the gutter, squiggles under problems,
the paused line highlighted while debugging, and tooltips with each problem's message."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from engine.basic.diagnostics import Diagnostic
from ui import theme
from ui.widgets.highlighter import BasicHighlighter

GUTTER_DOT = 10


class Gutter(QWidget):
    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to set or clear a breakpoint (F9)")

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_gutter(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        line = self.editor.line_at(event.position().toPoint().y())
        if line is not None:
            self.editor.toggle_breakpoint(line)


class CodeEditor(QPlainTextEdit):
    breakpoint_toggled = Signal(int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editor")
        self.setAccessibleName("Script editor")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(11)
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self.highlighter = BasicHighlighter(self.document())
        self.breakpoints: set[int] = set()
        self.diagnostics: list[Diagnostic] = []
        self.paused_line: int | None = None
        self.gutter = Gutter(self)
        self.blockCountChanged.connect(lambda _: self._update_margins())
        self.updateRequest.connect(self._scroll_gutter)
        self.cursorPositionChanged.connect(self._refresh_selections)
        self._update_margins()

    # -- public API ----------------------------------------------------------------------------
    def set_diagnostics(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        self._refresh_selections()

    def set_paused_line(self, line: int | None) -> None:
        self.paused_line = line
        if line is not None:
            self.jump_to(line, 1, select=False)
        self._refresh_selections()
        self.gutter.update()

    def set_breakpoints(self, lines: set[int]) -> None:
        self.breakpoints = set(lines)
        self.gutter.update()

    def toggle_breakpoint(self, line: int) -> None:
        on = line not in self.breakpoints
        (self.breakpoints.add if on else self.breakpoints.discard)(line)
        self.gutter.update()
        self.breakpoint_toggled.emit(line, on)

    def jump_to(self, line: int, col: int, select: bool = True) -> None:
        block = self.document().findBlockByNumber(max(line - 1, 0))
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.Right, n=max(col - 1, 0))
        self.setTextCursor(cursor)
        self.centerCursor()
        if select:
            self.setFocus()

    def current_line(self) -> int:
        return self.textCursor().blockNumber() + 1

    def diagnostic_at(self, line: int, col: int) -> Diagnostic | None:
        for d in self.diagnostics:
            if d.line == line and d.col <= col < d.col + max(d.width, 1):
                return d
        return next((d for d in self.diagnostics if d.line == line), None)

    # -- gutter --------------------------------------------------------------------------------
    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 14 + GUTTER_DOT + self.fontMetrics().horizontalAdvance("9") * max(digits, 3)

    def line_at(self, y: int) -> int | None:
        block = self.firstVisibleBlock()
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        while block.isValid():
            bottom = top + self.blockBoundingRect(block).height()
            if top <= y < bottom:
                return block.blockNumber() + 1
            block, top = block.next(), bottom
        return None

    def paint_gutter(self, event: QPaintEvent) -> None:
        c = theme.current()
        painter = QPainter(self.gutter)
        painter.fillRect(event.rect(), QColor(c.alt))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        errors = {d.line for d in self.diagnostics if d.is_error}
        while block.isValid() and top <= event.rect().bottom():
            line = block.blockNumber() + 1
            if line in self.breakpoints:
                painter.setBrush(QColor("#e5484d"))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawEllipse(QRect(4, top + (height - GUTTER_DOT) // 2, GUTTER_DOT,
                                          GUTTER_DOT))
            painter.setPen(QColor(c.error if line in errors else
                                  (c.text if line == self.paused_line else c.muted)))
            painter.drawText(0, top, self.gutter.width() - 6, height,
                             int(Qt.AlignmentFlag.AlignRight), str(line))
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()

    def _update_margins(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        area = self.contentsRect()
        self.gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(), area.height()))

    # -- selections: current line, paused line, squiggles ---------------------------------------
    def _refresh_selections(self) -> None:
        c = theme.current()
        selections = []
        if self.paused_line is not None:
            selections.append(self._line_selection(self.paused_line,
                                                   "#5c4a12" if c is theme.DARK else "#fff3bf"))
        elif not self.isReadOnly():
            selections.append(self._line_selection(self.current_line(), c.alt))
        for d in self.diagnostics:
            selections.append(self._squiggle(d, c.error if d.is_error else c.warning))
        self.setExtraSelections(selections)

    def _line_selection(self, line: int, colour: str) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(colour))
        fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selection.format = fmt
        cursor = QTextCursor(self.document().findBlockByNumber(line - 1))
        selection.cursor = cursor
        return selection

    def _squiggle(self, d: Diagnostic, colour: str) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor(colour))
        selection.format = fmt
        block = self.document().findBlockByNumber(max(d.line - 1, 0))
        cursor = QTextCursor(block)
        start = min(max(d.col - 1, 0), max(block.length() - 1, 0))
        cursor.movePosition(QTextCursor.MoveOperation.Right, n=start)
        width = max(d.width, 1)
        if start >= block.length() - 1 and start > 0:  # at the end of the line: underline
            cursor.movePosition(QTextCursor.MoveOperation.Left)  # the last character instead
        cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor,
                            min(width, max(block.length() - 1 - cursor.positionInBlock(), 1)))
        selection.cursor = cursor
        return selection

    # -- keyboard and tooltips -------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_F9 and not event.modifiers():
            self.toggle_breakpoint(self.current_line())
            return
        super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            point = event.pos() - QPoint(self.viewportMargins().left(), 0)
            cursor = self.cursorForPosition(point)
            found = self.diagnostic_at(cursor.blockNumber() + 1, cursor.positionInBlock() + 1)
            if found is not None:
                QToolTip.showText(event.globalPos(), found.transcript(), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


def monospace() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
