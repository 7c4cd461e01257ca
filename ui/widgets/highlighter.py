"""BASIC syntax highlighting driven by the engine's keyword table (STYLE.md §11).

Keywords come from :func:`engine.basic.keywords.catalog.highlight_words`, built-in functions
from :data:`engine.basic.builtins.FUNCTIONS`: a keyword added to the engine is coloured here
with no change to the editor.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from engine.basic.builtins import FUNCTIONS
from engine.basic.keywords.catalog import highlight_words
from ui import theme

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")
_STRING = re.compile(r'"(?:[^"]|"")*"?')
_COMMENT = re.compile(r"^\s*(?:'|REM\b)", re.IGNORECASE)


def keyword_set() -> frozenset[str]:
    return frozenset(w.upper() for w in highlight_words())


def function_set() -> frozenset[str]:
    return frozenset(name.upper() for name in FUNCTIONS)


class BasicHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.keywords = keyword_set()
        self.functions = function_set()
        self.formats: dict[str, QTextCharFormat] = {}
        self.restyle()

    def restyle(self) -> None:
        dark = theme.current() is theme.DARK
        palette = {
            "keyword": ("#ff9e64" if dark else "#b4410c", True),
            "function": ("#7dcfff" if dark else "#0b6bcb", False),
            "string": ("#9ece6a" if dark else "#2f7d32", False),
            "number": ("#e0af68" if dark else "#9a5b00", False),
            "comment": ("#7a828e", False),
        }
        for name, (colour, bold) in palette.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if bold:
                fmt.setFontWeight(QFont.Weight.Bold)
            if name == "comment":
                fmt.setFontItalic(True)
            self.formats[name] = fmt
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        if _COMMENT.match(text):
            self.setFormat(0, len(text), self.formats["comment"])
            return
        strings = [(m.start(), m.end()) for m in _STRING.finditer(text)]
        for start, end in strings:
            self.setFormat(start, end - start, self.formats["string"])
        comment = _trailing_comment(text, strings)
        limit = comment if comment is not None else len(text)
        for match in _WORD.finditer(text, 0, limit):
            if _inside(match.start(), strings):
                continue
            word = match.group(0).upper()
            kind = "keyword" if word in self.keywords else (
                "function" if word in self.functions else None)
            if kind is not None:
                self.setFormat(match.start(), len(word), self.formats[kind])
        for match in _NUMBER.finditer(text, 0, limit):
            if not _inside(match.start(), strings):
                self.setFormat(match.start(), match.end() - match.start(), self.formats["number"])
        if comment is not None:
            self.setFormat(comment, len(text) - comment, self.formats["comment"])

    def classify(self, word: str) -> str | None:
        """The colour class of a word (for tests): keyword, function or None."""
        upper = word.upper()
        if upper in self.keywords:
            return "keyword"
        return "function" if upper in self.functions else None


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _trailing_comment(text: str, strings: list[tuple[int, int]]) -> int | None:
    for index, char in enumerate(text):
        if char == "'" and not _inside(index, strings):
            return index
    return None
