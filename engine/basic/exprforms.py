"""Expression forms of docs/basic-compatibility.md read by :class:`ExpressionParser`:
``FORMAT x, p`` (E2), ``GET "session.k"`` (E4), infix ``CONTAINS``/``STARTS WITH``/
``ENDS WITH`` (E5) and method calls (E3). A mixin of the expression parser."""

from __future__ import annotations

from engine.basic import ast
from engine.basic.cursor import Cursor
from engine.basic.lexer import NAME, NUMBER, OP, STRING, Token

# GET phrases readable inside an expression without parentheses (E4)
_GET_FORMS = (("SESSION",), ("BOT", "MEMORY"), ("USER", "MEMORY"))
_RESERVED = frozenset({"AND", "OR", "NOT", "XOR", "MOD", "IN", "LIKE", "IS", "TRUE", "FALSE",
                       "NULL", "NOTHING"})


class KeywordOperands:
    list_depth: int  # > 0 inside argument lists and literals, where "," separates

    def _concat(self, c: Cursor) -> ast.Expr:
        raise NotImplementedError

    def _postfix(self, c: Cursor) -> ast.Expr:
        raise NotImplementedError

    def _items(self, c: Cursor, closer: str) -> list[ast.Expr]:
        raise NotImplementedError

    def _format(self, c: Cursor, token: Token) -> ast.Expr:
        """``FORMAT x AS p``, ``FORMAT x, p`` and ``FORMAT x`` (compatibility E2). The comma
        form is read only outside argument lists and literals, where a comma separates items;
        its pattern is one operand, so an operator after it applies to the result."""
        c.next()
        value = self._concat(c)
        if c.accept_word("AS"):
            pattern_token = c.peek()
            if pattern_token is not None and pattern_token.kind == NAME:
                c.next()
                pattern: ast.Expr = ast.Literal(str(pattern_token.value), pattern_token.line,
                                                pattern_token.col)
            else:
                pattern = self._concat(c)
        elif self.list_depth == 0 and c.accept_op(","):
            pattern = self._postfix(c)  # `FORMAT n, "0.00" + " EUR"` appends to the result
        else:
            return ast.Call("FORMAT", (value,), token.line, token.col, "FORMAT")
        return ast.Call("FORMAT", (value, pattern), token.line, token.col, "FORMAT")

    def _session_value(self, c: Cursor, token: Token) -> ast.Expr | None:
        """``GET "session.k"``, ``GET SESSION "k"`` (and ``GET BOT MEMORY "k"``, ``GET USER
        MEMORY "k"``) inside an expression (compatibility E4): the value keyword with one
        argument, read up to the next comparison."""
        after = c.peek(1)
        if after is not None and after.kind == STRING:
            c.next()
            return ast.Call("GET", (self._concat(c),), token.line, token.col, "GET")
        for words in _GET_FORMS:
            size = len(words)
            operand = c.peek(size + 1)
            if all(c.peek(1 + i) is not None and c.peek(1 + i).is_word(w)  # type: ignore[union-attr]
                   for i, w in enumerate(words)) and starts_operand(operand) \
                    and not operand.is_op("("):  # type: ignore[union-attr]
                c.pos += size + 1
                phrase = " ".join(("GET", *words))
                return ast.Call(phrase.replace(" ", "_"), (self._concat(c),), token.line,
                                token.col, phrase)
        return None

    def _method(self, c: Cursor, node: ast.Expr, name: Token, optional: bool) -> ast.Expr:
        """``s.trim()``, ``a?.join(",")``: a method call (compatibility E3), compiled through
        the method table of :mod:`engine.basic.methods`."""
        c.next()
        args = self._items(c, ")")
        kind = "_OPTMETHOD" if optional else "_METHOD"
        return ast.Call(kind, (node, ast.Literal(str(name.value)), *args), name.line, name.col,
                        str(name.value))


# words that continue a statement after an operand, so never start one (FORMAT then THEN…)
_CLAUSE_WORDS = frozenset({
    "THEN", "ELSE", "TO", "STEP", "AS", "WHERE", "WITH", "BY", "ORDER", "LIMIT", "INTO",
    "VALUES", "FROM", "USING", "REFRESH", "TIMEOUT", "EACH", "DO", "UNTIL", "WHILE",
    "CONTAINS", "STARTS", "ENDS", "STARTSWITH", "ENDSWITH", "DEFAULT", "FIRST", "LAST",
})


def starts_operand(token: Token | None) -> bool:
    """Whether ``token`` can begin the operand of a keyword written without parentheses."""
    if token is None:
        return False
    if token.kind in (NUMBER, STRING):
        return True
    if token.kind == NAME:
        word = token.upper
        return word not in _CLAUSE_WORDS and (word not in _RESERVED or word in (
            "NOT", "TRUE", "FALSE", "NULL", "NOTHING"))
    return token.kind == OP and token.value in ("(", "{")


def infix_test(c: Cursor, offset: int = 0) -> tuple[str, int] | None:
    """``a CONTAINS b``, ``a STARTS WITH b``, ``a ENDS WITH b`` (compatibility E5): the
    built-in that gives the meaning and how many words the operator spans."""
    token = c.peek(offset)
    if token is None or token.kind != NAME:
        return None
    word = token.upper
    if word in ("CONTAINS", "STARTSWITH", "ENDSWITH"):
        return word, 1
    after = c.peek(offset + 1)
    if word in ("STARTS", "ENDS") and after is not None and after.is_word("WITH"):
        return word + "WITH", 2
    return None
