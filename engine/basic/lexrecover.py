"""The lexer's recovery from a string or bracket still open at the end of the input
(docs/basic-compatibility.md D1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.basic.lexer import STRING, Token

if TYPE_CHECKING:
    from engine.basic.lexer import Lexer


def recover(lexer: Lexer, tokens: list[Token]) -> list[Token]:
    """A string or bracket still open at the end of the input: report it where it was
    opened, keep the tokens before, and lex the following lines again on their own —
    so the error is not reported lines later, at code that is fine (§D1)."""
    if lexer.unclosed_string is not None:
        line, col = lexer.unclosed_string
        # a string that spans lines before it took this one's opening quote as its
        # closing quote: that earlier string is the unterminated one
        line, col = next((s for s in lexer.multiline if s < (line, col)), (line, col))
        lexer.sink.error("unterminated string literal", line, col)
    else:
        opener = lexer.openers[0]
        line, col = opener.line, opener.col
        lexer.sink.error(f"'{opener.value}' is not closed", line, col)
        col = len(lexer.src) + 1  # the opener's whole line stays: it may parse in part
    if line + 1 in lexer.line_starts and lexer.line > line:
        lexer.i = lexer.line_starts[line + 1]
        lexer.line = line + 1
        lexer.line_start = lexer.i
    kept = [t for t in tokens if (t.line, t.col) < (line, col)]
    if lexer.unclosed_string is not None:
        # the string is its first line's text, so the parser adds no error of its own
        quote = lexer.line_starts[line] + col - 1
        eol = lexer.src.find("\n", quote)
        text = lexer.src[quote + 1: eol if eol >= 0 else len(lexer.src)]
        kept.append(Token(STRING, (text,), line, col, col + len(text) + 1, True))
        lexer.unclosed_string = None
    return kept
