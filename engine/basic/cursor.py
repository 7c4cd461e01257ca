"""A position in one logical line's tokens, and the error the parsers raise (BASIC.md §4).

Both are re-exported by :mod:`engine.basic.expressions`, where the parsers import them from.
"""

from __future__ import annotations

from engine.basic.lexer import NAME, OP, STRING, Token


class ParseError(Exception):
    def __init__(self, message: str, line: int, col: int, width: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.width = width
        self.in_expression = False  # raised inside an expression that had begun (§D2)


class Cursor:
    """A position in one logical line's tokens."""

    def __init__(self, tokens: tuple[Token, ...] | list[Token], line: int) -> None:
        self.tokens = tokens
        self.pos = 0
        self.line = line

    def peek(self, offset: int = 0) -> Token | None:
        j = self.pos + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise self.error("unexpected end of line")
        self.pos += 1
        return token

    @property
    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def at_word(self, *words: str) -> bool:
        j = self.pos
        if j >= len(self.tokens):
            return False
        token = self.tokens[j]
        return token.kind == NAME and token.value.upper() in words  # type: ignore[attr-defined]

    def at_op(self, *ops: str) -> bool:
        j = self.pos
        if j >= len(self.tokens):
            return False
        token = self.tokens[j]
        return token.kind == OP and token.value in ops

    def accept_word(self, *words: str) -> bool:
        if self.at_word(*words):
            self.pos += 1
            return True
        return False

    def accept_op(self, *ops: str) -> bool:
        if self.at_op(*ops):
            self.pos += 1
            return True
        return False

    def expect_word(self, word: str) -> None:
        if not self.accept_word(word):
            raise self.error(f"expected {word}")

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise self.error(f"expected '{op}'")

    def name(self) -> Token:
        token = self.peek()
        if token is None or token.kind != NAME:
            raise self.error("expected a name")
        self.pos += 1
        return token

    def error(self, message: str) -> ParseError:
        token = self.peek()
        if token is None:
            last = self.tokens[-1] if self.tokens else None
            col = last.end_col if last else 1
            line = last.line if last else self.line
            return ParseError(message, line, col)
        shown = _show(token)
        text = f"{message}, found {shown}" if not message.startswith("unexpected") else message
        return ParseError(text, token.line, token.col, max(token.end_col - token.col, 1))

    def expect_end(self) -> None:
        if not self.done:
            token = self.peek()
            assert token is not None
            raise ParseError(f"unexpected {_show(token)}", token.line, token.col,
                             max(token.end_col - token.col, 1))


def _show(token: Token) -> str:
    if token.kind == STRING:
        return "a string"
    return f"'{token.value}'"
