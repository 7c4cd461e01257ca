"""The lexer: source text → logical lines of tokens (BASIC.md §2).

Physical lines join into one logical line after `` _``, inside open brackets, after a
trailing comma or binary operator, and inside a string literal. ``BEGIN TALK``,
``BEGIN SYSTEM PROMPT`` and ``BEGIN MAIL`` blocks are captured as raw text lines attached
to their opening line. String literals are split into text and ``${…}`` parts here; the
parser parses the parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.basic.diagnostics import DiagnosticSink
from engine.basic.keywords.catalog import STATEMENTS, STRUCTURE

NAME = "name"
NUMBER = "number"
STRING = "string"
OP = "op"

_BINARY_TRAILERS = frozenset(
    {",", "+", "-", "*", "/", "\\", "^", "&", "=", "<>", "<", ">", "<=", ">=", "==", "!=",
     "&&", "||", "??"}
)
_WORD_TRAILERS = frozenset({"AND", "OR", "XOR", "MOD"})
# "&&", "||", "??" and "?." are the JavaScript-flavoured operators (docs/basic-compatibility.md)
_TWO_CHAR_OPS = frozenset({"<>", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "&=", "\\=",
                           "&&", "||", "??", "?."})
_ONE_CHAR_OPS = frozenset("+-*/\\^&=<>()[]{},.:;#?!$@%|")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "$": "$", "`": "`"}
_OPENERS = {"(": ")", "[": "]", "{": "}"}
# numbers are ASCII (§2.4); other Unicode digits ("²", "١") are not numbers
_DIGITS = frozenset("0123456789")
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")

_BLOCK_START = re.compile(r"[ \t]*BEGIN[ \t_]+(TALK|SYSTEM[ \t_]+PROMPT|MAIL)\b", re.IGNORECASE)
# first tokens of a BEGIN line: "_" joins the words like a space (§2.5)
_BLOCK_HEADS = ("BEGIN", "BEGIN_TALK", "BEGIN_MAIL", "BEGIN_SYSTEM", "BEGIN_SYSTEM_PROMPT")
_PRAGMA = re.compile(r"[ \t]*#[^\W\d_]")
# "# text": a comment line, as "#" followed by a letter is a pragma and "#{" a map literal
_HASH_COMMENT = re.compile(r"[ \t]*#(?![^\W\d_]|\{)")
_REM = re.compile(r"[ \t]*REM(?![\w])", re.IGNORECASE)
# A line that starts like a statement (a statement word, then an operand or, for block
# closers, nothing) is never the continuation of a line ending in an operator or a comma:
# `TALK 1 +` then `TALK "b"` is an incomplete expression on the first line (§D1).
_STATEMENT_WORDS = frozenset(p.split()[0] for p in STATEMENTS) | STRUCTURE
_CLOSING_WORDS = frozenset({"END", "NEXT", "WEND", "LOOP", "ELSE", "ENDIF", "END_IF"})
_STATEMENT_LINE = re.compile(r"[ \t]*([^\W\d]\w*)([ \t]+[\"\w]|[ \t]*(?:'.*)?$)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Interp:
    """A ``${…}`` part of a string literal: the expression's source and where it starts."""

    source: str
    line: int
    col: int


StringParts = tuple[str | Interp, ...]


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: object
    line: int
    col: int
    end_col: int
    space_before: bool = False

    @property
    def upper(self) -> str:
        """The token's text upper-cased (names and operators)."""
        return str(self.value).upper() if self.kind in (NAME, OP) else ""

    def is_op(self, *ops: str) -> bool:
        return self.kind == OP and self.value in ops

    def is_word(self, *words: str) -> bool:
        return self.kind == NAME and str(self.value).upper() in words


@dataclass(frozen=True, slots=True)
class RawLine:
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class LogicalLine:
    tokens: tuple[Token, ...]
    line: int
    block: tuple[RawLine, ...] | None = None  # the raw text of a BEGIN … END block
    block_end_line: int = 0


class Lexer:
    def __init__(self, source: str, sink: DiagnosticSink) -> None:
        if source.startswith("\ufeff"):
            source = source[1:]
        self.src = source.replace("\r\n", "\n").replace("\r", "\n")
        self.sink = sink
        self.i = 0
        self.line = 1
        self.line_start = 0
        self.line_starts = {1: 0}  # physical line -> index of its first character
        # per logical line: unclosed brackets, strings spanning lines, an unclosed string
        self.openers: list[Token] = []
        self.multiline: list[tuple[int, int]] = []
        self.unclosed_string: tuple[int, int] | None = None

    # -- driver -----------------------------------------------------------------------
    def lines(self) -> list[LogicalLine]:
        result: list[LogicalLine] = []
        while self.i < len(self.src):
            logical = self._logical_line()
            if logical is not None:
                result.append(logical)
        return result

    def _logical_line(self) -> LogicalLine | None:
        if self._skip_special_line():
            return None
        tokens: list[Token] = []
        depth: list[str] = []
        start_line = self.line
        start_pos = self.i
        self.openers, self.multiline, self.unclosed_string = [], [], None
        while True:
            end = self._line_tokens(tokens, depth)
            if not end or not self._continues(tokens, depth):
                break
            if tokens and tokens[-1].is_word("_") and tokens[-1].space_before:
                tokens.pop()
        if self.unclosed_string is not None or (depth and self.openers):
            from engine.basic.lexrecover import recover  # the rare path; it imports Token

            tokens = recover(self, tokens)
        if not tokens:
            return None
        match = _BLOCK_START.match(self.src, start_pos)
        if match is not None and tokens[0].is_word(*_BLOCK_HEADS):
            return self._raw_block(tokens, start_line, match.group(1))
        return LogicalLine(tuple(tokens), start_line)

    def _skip_special_line(self) -> bool:
        """Pragmas (``#word``), ``# comment`` and ``REM`` lines are consumed whole."""
        pragma = _PRAGMA.match(self.src, self.i)
        if pragma is not None:
            word = re.match(r"#(\w+)", self.src[pragma.end() - 2 :])
            name = word.group(1) if word else ""
            self.sink.warning(f"unknown pragma '#{name}' ignored", self.line, 1)
            self._skip_to_eol()
            self._newline()
            return True
        if _REM.match(self.src, self.i) or _HASH_COMMENT.match(self.src, self.i):
            self._skip_to_eol()
            self._newline()
            return True
        return False

    def _continues(self, tokens: list[Token], depth: list[str]) -> bool:
        if depth:
            return True
        if not tokens:
            return False
        last = tokens[-1]
        if last.is_word("_") and last.space_before:
            return True
        if (last.kind == OP and last.value in _BINARY_TRAILERS) or (
                last.kind == NAME and last.upper in _WORD_TRAILERS):
            return not self._statement_follows()
        return False

    def _statement_follows(self) -> bool:
        match = _STATEMENT_LINE.match(self.src, self.i)
        if match is None or match.group(1).upper() not in _STATEMENT_WORDS:
            return False
        return bool(match.group(2).strip()) or match.group(1).upper() in _CLOSING_WORDS

    # -- one physical line --------------------------------------------------------------
    def _line_tokens(self, tokens: list[Token], depth: list[str]) -> bool:
        """Scan to the end of the physical line; False at end of input."""
        src = self.src
        end = len(src)
        space = True
        while self.i < end:
            ch = src[self.i]
            if ch == "\n":
                self._newline()
                return True
            if ch == " " or ch == "\t":
                self.i += 1
                space = True
                continue
            if ch == "'" or src.startswith("//", self.i):
                self._skip_to_eol()
                continue
            token = self._token(ch, space)
            if token is None:
                continue
            self._track_depth(token, depth)
            tokens.append(token)
            space = False
        return False

    def _track_depth(self, token: Token, depth: list[str]) -> None:
        if token.kind != OP:
            return
        value = str(token.value)
        if value in _OPENERS:
            depth.append(_OPENERS[value])
            self.openers.append(token)
        elif depth and value == depth[-1]:
            depth.pop()
            self.openers.pop()

    def _token(self, ch: str, space: bool) -> Token | None:
        col = self.i - self.line_start + 1
        line = self.line
        if ch == '"' or ch == "`":
            parts = self._string(ch)
            if parts is None:
                return None
            return Token(STRING, parts, line, col, col + 1, space)
        if ch in _DIGITS or (ch == "." and self._peek(1) in _DIGITS):
            return self._number(col, space)
        if ch.isalpha() or ch == "_":
            match = _WORD.match(self.src, self.i)  # letters, digits, "_" (str.isalnum + "_")
            assert match is not None
            text = match.group()
            self.i = match.end()
            return Token(NAME, text, line, col, col + len(text), space)
        three = self.src[self.i : self.i + 3]
        if three in ("===", "!=="):  # JavaScript's strict equality: "=" and "<>" here (E3)
            self.i += 3
            return Token(OP, three[:2], line, col, col + 3, space)
        two = self.src[self.i : self.i + 2]
        if two in _TWO_CHAR_OPS:
            self.i += 2
            return Token(OP, two, line, col, col + 2, space)
        self.i += 1
        if ch in _ONE_CHAR_OPS:
            return Token(OP, ch, line, col, col + 1, space)
        self.sink.error(f"unexpected character {ch!r}", line, col)
        return None

    def _number(self, col: int, space: bool) -> Token:
        match = _NUMBER.match(self.src, self.i)
        assert match is not None
        text = match.group(0)
        self.i = match.end()
        is_float = "." in text or match.group(2) is not None
        try:
            value: int | float = float(text) if is_float else int(text)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            self.sink.error("number literal with too many digits", self.line, col, len(text))
            value = 0
        return Token(NUMBER, value, self.line, col, col + len(text), space)

    # -- strings -----------------------------------------------------------------------
    def _string(self, quote: str) -> StringParts | None:
        """Read a literal starting at the quote; an error (and the text so far) when unclosed."""
        start_line, start_col = self.line, self.i - self.line_start + 1
        parts: list[str | Interp] = []
        buf: list[str] = []
        src = self.src
        self.i += 1
        while self.i < len(src):
            ch = src[self.i]
            if ch == quote:
                if self._peek(1) == quote:
                    buf.append(quote)
                    self.i += 2
                    continue
                self.i += 1
                if buf or not parts:
                    parts.append("".join(buf))
                if self.line > start_line:
                    self.multiline.append((start_line, start_col))
                return tuple(parts)
            if ch == "\\" and self.i + 1 < len(src):
                nxt = src[self.i + 1]
                if nxt in _ESCAPES:
                    buf.append(_ESCAPES[nxt])
                    self.i += 2
                    continue
                buf.append(ch)
                self.i += 1
                continue
            if ch == "$" and self._peek(1) == "{":
                interp = self._interpolation()
                if interp is not None:
                    if buf:
                        parts.append("".join(buf))
                        buf = []
                    parts.append(interp)
                    continue
            if ch == "\n":
                self._newline()
                buf.append("\n")
                continue
            buf.append(ch)
            self.i += 1
        self.unclosed_string = (start_line, start_col)  # reported by lexrecover.recover
        parts.append("".join(buf))
        return tuple(parts)

    def _interpolation(self) -> Interp | None:
        """``${…}`` with nested strings and braces; None when there is no closing brace."""
        src = self.src
        j = self.i + 2
        depth = 1
        in_string: str | None = None
        while j < len(src):
            c = src[j]
            if in_string:
                if c == "\\":
                    j += 2
                    continue
                if c == in_string:
                    in_string = None
            elif c in "\"`":
                in_string = c
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            elif c == "\n":
                return None
            j += 1
        else:
            return None
        interp = Interp(src[self.i + 2 : j], self.line, self.i - self.line_start + 3)
        self.i = j + 1
        return interp

    # -- raw blocks ----------------------------------------------------------------------
    def _raw_block(self, tokens: list[Token], start_line: int, kind: str) -> LogicalLine:
        closer = re.compile(
            r"[ \t]*END[ \t_]+" + r"[ \t_]+".join(kind.upper().split()) + r"[ \t]*$",
            re.IGNORECASE,
        )
        raw: list[RawLine] = []
        while self.i < len(self.src):
            eol = self.src.find("\n", self.i)
            eol = len(self.src) if eol < 0 else eol
            text = self.src[self.i : eol]
            line = self.line
            self.i = eol
            if self.i < len(self.src):
                self._newline()
            if closer.match(text):
                return LogicalLine(tuple(tokens), start_line, tuple(raw), line)
            raw.append(RawLine(text, line))
        # unclosed: the parser reports it once, at the BEGIN line
        return LogicalLine(tuple(tokens), start_line, tuple(raw), -1)

    # -- helpers -------------------------------------------------------------------------
    def _peek(self, offset: int) -> str:
        j = self.i + offset
        return self.src[j] if j < len(self.src) else ""

    def _skip_to_eol(self) -> None:
        eol = self.src.find("\n", self.i)
        self.i = len(self.src) if eol < 0 else eol

    def _newline(self) -> None:
        if self.i < len(self.src) and self.src[self.i] == "\n":
            self.i += 1
        self.line += 1
        self.line_start = self.i
        self.line_starts[self.line] = self.i


def tokenize(source: str, sink: DiagnosticSink) -> list[LogicalLine]:
    return Lexer(source, sink).lines()


def tokenize_expression(source: str, line: int, col: int, sink: DiagnosticSink) -> list[Token]:
    """Tokens of an interpolated ``${…}`` expression, positioned in the enclosing file."""
    lexer = Lexer(source, sink)
    tokens: list[Token] = []
    depth: list[str] = []
    while lexer.i < len(lexer.src):
        lexer._line_tokens(tokens, depth)
    if lexer.unclosed_string is not None:
        sink.error("unterminated string literal", *lexer.unclosed_string)
    return [
        Token(t.kind, t.value, line + t.line - 1, t.col + col - 1 if t.line == 1 else t.col,
              t.end_col + col - 1 if t.line == 1 else t.end_col, t.space_before)
        for t in tokens
    ]
