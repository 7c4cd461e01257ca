"""Expression parsing over one logical line's tokens (BASIC.md §3.5 precedence)."""

from __future__ import annotations

from collections.abc import Callable

from engine.basic import ast
from engine.basic.cursor import Cursor as Cursor  # re-exported: the parsers import it here
from engine.basic.cursor import ParseError as ParseError
from engine.basic.diagnostics import DiagnosticSink
from engine.basic.exprforms import KeywordOperands, infix_test, starts_operand
from engine.basic.keywords.catalog import VALUE_KEYWORDS
from engine.basic.lexer import NAME, NUMBER, OP, STRING, Interp, Token, tokenize_expression

COMPARISONS = frozenset({"=", "==", "<>", "!=", "<", ">", "<=", ">="})
_CANONICAL = {"==": "=", "!=": "<>"}
_MULTI_WORD_FUNCTIONS = frozenset(p for p in VALUE_KEYWORDS if " " in p)
_MULTI_WORD_STARTS = frozenset(p.split()[0] for p in _MULTI_WORD_FUNCTIONS)
_RESERVED = frozenset({"AND", "OR", "NOT", "XOR", "MOD", "IN", "LIKE", "IS", "TRUE", "FALSE",
                       "NULL", "NOTHING"})


DEFAULT_NESTING = 100  # config basic-max-nesting: blocks in blocks, and expression levels


class NestingTooDeep(Exception):
    """Blocks or an expression nested deeper than the limit. Unlike a ParseError nothing
    recovers from it: the file gets one error and is not compiled (the parser, compiler and
    evaluator recurse once per level, so unbounded nesting would exhaust the stack)."""

    def __init__(self, what: str, limit: int, line: int, col: int) -> None:
        self.message = (f"{what} nested more than {limit} levels deep; simplify it "
                        "(or raise basic-max-nesting)")
        super().__init__(self.message)
        self.line = line
        self.col = col


class ExpressionParser(KeywordOperands):
    """Parses expressions; ``sink`` receives warnings for literal ``${…}`` kept as text."""

    max_depth = DEFAULT_NESTING

    def __init__(self, sink: DiagnosticSink) -> None:
        self.sink = sink
        self.depth = 0  # levels of _unary/NOT being parsed (every nesting passes there)
        self.in_with = 0
        self.list_depth = 0  # > 0 inside argument lists and literals, where "," separates

    # precedence levels, lowest first
    def expr(self, c: Cursor) -> ast.Expr:
        """An expression; ``c ? a : b`` and ``a ?? b`` bind loosest (compatibility E3).
        A ParseError after the expression began is marked ``in_expression`` (§D2)."""
        start = c.pos
        try:
            condition = self._nullish(c)
            if not c.at_op("?"):
                return condition
            c.next()
            then = self.expr(c)
            c.expect_op(":")
            otherwise = self.expr(c)
        except ParseError as err:
            err.in_expression = err.in_expression or c.pos > start
            raise
        return ast.Call("IIF", (condition, then, otherwise), left_line(condition),
                        left_col(condition), "?:")

    def _nullish(self, c: Cursor) -> ast.Expr:
        left = self._or(c)
        while c.at_op("??"):
            c.next()
            left = ast.Call("_NULLISH", (left, self._or(c)), left_line(left), left_col(left),
                            "??")
        return left

    def _or(self, c: Cursor) -> ast.Expr:
        left = self._and(c)
        while c.at_word("OR", "XOR") or c.at_op("||"):
            token = c.next()
            op = "OR" if token.kind == OP else token.upper
            left = ast.Binary(op, left, self._and(c), left_line(left), left_col(left))
        return left

    def _and(self, c: Cursor) -> ast.Expr:
        left = self._not(c)
        while c.at_word("AND") or c.at_op("&&"):
            c.next()
            left = ast.Binary("AND", left, self._not(c), left_line(left), left_col(left))
        return left

    def _not(self, c: Cursor) -> ast.Expr:
        if c.at_word("NOT"):
            token = c.next()
            return ast.Unary("NOT", self._deeper(self._not, c), token.line, token.col)
        return self._compare(c)

    def _compare(self, c: Cursor) -> ast.Expr:
        left = self._concat(c)
        while True:
            token = c.peek()
            if token is None:
                return left
            line, col = left_line(left), left_col(left)
            if token.kind == OP and token.value in COMPARISONS:
                c.next()
                op = _CANONICAL.get(str(token.value), str(token.value))
                left = ast.Binary(op, left, self._concat(c), line, col)
            elif token.is_word("LIKE", "IN"):
                c.next()
                left = self._like_in(c, token.upper, left, False, line, col)
            elif token.is_word("NOT") and c.peek(1) is not None and c.peek(1).is_word("LIKE", "IN"):  # type: ignore[union-attr]
                c.next()
                word = c.next().upper
                left = self._like_in(c, word, left, True, line, col)
            elif (infix := infix_test(c)) is not None or (
                    token.is_word("NOT") and (infix := infix_test(c, 1)) is not None):
                negate = c.accept_word("NOT")
                name, size = infix
                c.pos += size
                test = ast.Call(name, (left, self._concat(c)), line, col, name)
                left = ast.Unary("NOT", test, line, col) if negate else test
            elif token.is_word("IS"):
                c.next()
                negate = c.accept_word("NOT")
                if not c.accept_word("NULL", "NOTHING"):
                    raise c.error("expected NULL after IS")
                left = ast.IsNull(left, negate, line, col)
            else:
                return left

    def _like_in(
        self, c: Cursor, word: str, left: ast.Expr, negate: bool, line: int, col: int
    ) -> ast.Expr:
        if word == "IN" and c.at_op("("):
            start = c.next()
            items = self._items(c, ")")
            right: ast.Expr = ast.ArrayLit(tuple(items), start.line, start.col)
        else:
            right = self._concat(c)
        return ast.Binary(word, left, right, line, col, negate)

    def _concat(self, c: Cursor) -> ast.Expr:
        left = self._add(c)
        while c.at_op("&"):
            c.next()
            left = ast.Binary("&", left, self._add(c), left_line(left), left_col(left))
        return left

    def _add(self, c: Cursor) -> ast.Expr:
        left = self._mul(c)
        while c.at_op("+", "-"):
            op = str(c.next().value)
            left = ast.Binary(op, left, self._mul(c), left_line(left), left_col(left))
        return left

    def _mul(self, c: Cursor) -> ast.Expr:
        left = self._unary(c)
        while c.at_op("*", "/", "\\") or c.at_word("MOD"):
            token = c.next()
            op = "MOD" if token.kind == NAME else str(token.value)
            left = ast.Binary(op, left, self._unary(c), left_line(left), left_col(left))
        return left

    def _unary(self, c: Cursor) -> ast.Expr:
        return self._deeper(self._operand, c)

    def _deeper(self, parse: Callable[[Cursor], ast.Expr], c: Cursor) -> ast.Expr:
        """``parse(c)`` one level deeper; past ``max_depth`` levels, NestingTooDeep."""
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                token = c.peek() or (c.tokens[-1] if c.tokens else None)
                raise NestingTooDeep("expression", self.max_depth,
                                     token.line if token else c.line, token.col if token else 1)
            return parse(c)
        finally:
            self.depth -= 1

    def _operand(self, c: Cursor) -> ast.Expr:
        if c.at_op("!"):  # JavaScript's "!" binds like a unary minus (compatibility E3)
            token = c.next()
            return ast.Unary("NOT", self._unary(c), token.line, token.col)
        if c.at_op("-", "+"):
            token = c.next()
            operand = self._unary(c)
            if token.value == "-" and isinstance(operand, ast.Literal) and _is_number(operand):
                return ast.Literal(-operand.value, token.line, token.col)
            return ast.Unary(str(token.value), operand, token.line, token.col)
        return self._power(c)

    def _power(self, c: Cursor) -> ast.Expr:
        base = self._postfix(c)
        if c.at_op("^"):
            c.next()
            return ast.Binary("^", base, self._unary(c), left_line(base), left_col(base))
        return base

    def _postfix(self, c: Cursor) -> ast.Expr:
        node = self.primary(c)
        while True:
            if c.at_op(".", "?.") and c.peek(1) is not None and c.peek(1).kind == NAME:  # type: ignore[union-attr]
                optional = c.next().value == "?."
                name = c.next()
                after = c.peek()
                if after is not None and after.is_op("(") and not after.space_before:
                    node = self._method(c, node, name, optional)
                else:
                    node = ast.Member(node, str(name.value), name.line, name.col)
            elif c.at_op("?.") and c.peek(1) is not None and c.peek(1).is_op("["):  # type: ignore[union-attr]
                c.next()
            elif c.at_op("["):
                c.next()
                index = self.expr(c)
                c.expect_op("]")
                node = ast.Index(node, index, left_line(node), left_col(node))
            else:
                return node

    # primaries ---------------------------------------------------------------------------
    def primary(self, c: Cursor) -> ast.Expr:
        token = c.peek()
        if token is None:
            raise c.error("expected an expression")
        if token.kind == NUMBER:
            c.next()
            return ast.Literal(token.value, token.line, token.col)
        if token.kind == STRING:
            c.next()
            return self.string(token)
        if token.kind == OP:
            return self._op_primary(c, token)
        return self._name_primary(c, token)

    def _op_primary(self, c: Cursor, token: Token) -> ast.Expr:
        if token.value == "(":
            c.next()
            inner = self.expr(c)
            c.expect_op(")")
            return inner
        if token.value == "[":
            c.next()
            return ast.ArrayLit(tuple(self._items(c, "]")), token.line, token.col)
        if token.value == "{" or (token.value == "#" and c.peek(1) is not None
                                   and c.peek(1).is_op("{")):  # type: ignore[union-attr]
            if token.value == "#":
                c.next()
            c.next()
            return self._map(c, token)
        if token.value == "." and self.in_with and c.peek(1) is not None:
            c.next()
            name = c.name()
            return ast.WithMember(str(name.value), token.line, token.col)
        raise c.error("expected an expression")

    def _name_primary(self, c: Cursor, token: Token) -> ast.Expr:
        word = token.upper
        if word in ("TRUE", "FALSE"):
            c.next()
            return ast.Literal(word == "TRUE", token.line, token.col)
        if word in ("NULL", "NOTHING"):
            c.next()
            return ast.Literal(None, token.line, token.col)
        if word in _RESERVED and not (word == "MOD" and c.peek(1) is not None
                                      and c.peek(1).is_op("(")):  # type: ignore[union-attr]
            raise c.error("expected an expression")
        after = c.peek(1)
        if word in ("NEW", "CREATE") and after is not None and after.is_word("OBJECT", "ARRAY"):
            c.next()
            kind = c.next().upper
            return self._constructor(c, f"{word}_{kind}", token)
        if word in ("NEW_OBJECT", "NEW_ARRAY", "CREATE_OBJECT"):
            c.next()
            return self._constructor(c, word, token)
        if word == "FORMAT" and starts_operand(after) and not after.is_op("("):  # type: ignore[union-attr]
            return self._format(c, token)
        if word == "GET":
            session = self._session_value(c, token)
            if session is not None:
                return session
        phrase = self._multi_word_call(c)
        if phrase is not None:
            return self._call(c, phrase, token, phrase.lower())
        c.next()
        if c.at_op("("):
            return self._call(c, word, token, str(token.value))
        return ast.Name(str(token.value), token.line, token.col)

    def _constructor(self, c: Cursor, name: str, token: Token) -> ast.Expr:
        args: list[ast.Expr] = []
        if c.at_op("("):
            c.next()
            args = self._items(c, ")")
        return ast.Call(name, tuple(args), token.line, token.col, name)

    def _multi_word_call(self, c: Cursor) -> str | None:
        """``GET BOT MEMORY(`` and friends: a multi-word value keyword directly before ``(``."""
        first = c.peek()
        if first is None or first.upper not in _MULTI_WORD_STARTS:
            return None
        words: list[str] = []
        for offset in range(4):
            token = c.peek(offset)
            if token is None or token.kind != NAME:
                break
            words.append(token.upper)
            after = c.peek(offset + 1)
            if len(words) > 1 and " ".join(words) in _MULTI_WORD_FUNCTIONS and \
                    after is not None and after.is_op("("):
                c.pos += offset + 1
                return "_".join(words)
        return None

    def _call(self, c: Cursor, name: str, token: Token, written: str) -> ast.Expr:
        c.expect_op("(")
        args = self._items(c, ")")
        return ast.Call(name.replace(" ", "_"), tuple(args), token.line, token.col, written)

    def _items(self, c: Cursor, closer: str) -> list[ast.Expr]:
        items: list[ast.Expr] = []
        self.list_depth += 1
        try:
            while not c.accept_op(closer):
                items.append(self.expr(c))
                if not c.accept_op(","):
                    c.expect_op(closer)
                    break
        finally:
            self.list_depth -= 1
        return items

    def _map(self, c: Cursor, start: Token) -> ast.Expr:
        pairs: list[tuple[str, ast.Expr]] = []
        while not c.accept_op("}"):
            key_token = c.next()
            if key_token.kind == STRING:
                key = "".join(p for p in key_token.value if isinstance(p, str))  # type: ignore[attr-defined]
            elif key_token.kind in (NAME, NUMBER):
                key = str(key_token.value)
            else:
                c.pos -= 1
                raise c.error("expected a key")
            c.expect_op(":")
            self.list_depth += 1
            try:
                pairs.append((key, self.expr(c)))
            finally:
                self.list_depth -= 1
            if not c.accept_op(","):
                c.expect_op("}")
                break
        return ast.MapLit(tuple(pairs), start.line, start.col)

    # strings -----------------------------------------------------------------------------
    def string(self, token: Token) -> ast.Expr:
        parts = token.value
        assert isinstance(parts, tuple)
        if all(isinstance(p, str) for p in parts):
            return ast.Literal("".join(parts), token.line, token.col)
        out: list[str | ast.Expr] = []
        for part in parts:
            out.append(part if isinstance(part, str) else self.interpolation(part))
        return ast.Interpolated(tuple(out), token.line, token.col)

    def interpolation(self, part: Interp) -> str | ast.Expr:
        """The parsed ``${…}``, or the literal text when it does not parse (§2.3)."""
        scratch = DiagnosticSink()
        tokens = tokenize_expression(part.source, part.line, part.col, scratch)
        if not scratch.has_errors and tokens:
            cursor = Cursor(tokens, part.line)
            try:
                expr = self.expr(cursor)
                cursor.expect_end()
                return expr
            except ParseError:
                pass
        self.sink.warning(f"'${{{part.source}}}' is not an expression; kept as text",
                          part.line, max(part.col - 2, 1))
        return "${" + part.source + "}"


def _is_number(node: ast.Literal) -> bool:
    return type(node.value) in (int, float)


def left_line(node: ast.Expr) -> int:
    return getattr(node, "line", 0)


def left_col(node: ast.Expr) -> int:
    return getattr(node, "col", 0)
