"""Statement parsing: one logical line (plus the lines of any block it opens)."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from engine.basic import ast, phrases, spelling
from engine.basic.declarations import DeclarationParser
from engine.basic.expressions import Cursor, ParseError
from engine.basic.hearforms import hear_form
from engine.basic.keywords.catalog import (
    CLAUSES,
    STATEMENT_VALUE_KEYWORDS,
    STATEMENTS,
    VALUE_KEYWORDS,
)
from engine.basic.lexer import NAME, NUMBER, OP, STRING, LogicalLine, Token
from engine.basic.textblocks import text_block

if TYPE_CHECKING:
    from engine.basic.blocks import BlockParser

ASSIGN_OPS = frozenset({"=", "+=", "-=", "*=", "/=", "&=", "\\="})
_RESERVED = frozenset({"AND", "OR", "NOT", "XOR", "MOD", "IN", "LIKE", "IS", "TRUE", "FALSE",
                       "NULL", "NOTHING", "ERR"})
_STATEMENT_PHRASES = frozenset(STATEMENTS) | VALUE_KEYWORDS
# the first word of every phrase (LOG_INFO and friends are one word with "_")
_FIRST_WORDS = frozenset(p.split()[0] for p in _STATEMENT_PHRASES) | frozenset({"LOG"})


class StatementParser(DeclarationParser):
    def __init__(self, blocks: BlockParser, source: str) -> None:
        self.b = blocks
        self.x = blocks.exprs
        self.sink = blocks.sink
        self.source_lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    # -- classification (§4.0) ------------------------------------------------------------
    def statement(self, c: Cursor, line: LogicalLine) -> ast.Stmt | None:
        tokens = line.tokens
        if len(tokens) == 2 and tokens[0].kind == NAME and tokens[1].is_op(":"):
            return self.label(tokens[0], line)
        if self._assignment_shape(c):
            return self.assignment(c, line)
        first = tokens[0]
        if first.kind == OP and first.value == "." and self.x.in_with:
            return self.assignment(c, line)
        if first.kind != NAME:
            raise c.error("unexpected")
        return self.keyword_statement(c, line)

    def _assignment_shape(self, c: Cursor) -> bool:
        j = 0
        head, second = c.peek(0), c.peek(1)
        if head is not None and head.is_word("LET", "SET", "CONST") and \
                second is not None and second.kind == NAME:
            j = 1
        token = c.peek(j)
        if token is None or token.kind != NAME:
            return False
        j += 1
        while True:
            token = c.peek(j)
            if token is None:
                return False
            if token.is_op(".") and not token.space_before and c.peek(j + 1) is not None \
                    and c.peek(j + 1).kind == NAME:  # type: ignore[union-attr]
                j += 2
            elif token.is_op("[") and not token.space_before:
                j = self._skip_brackets(c, j)
                if j < 0:
                    return False
            else:
                return token.kind == OP and token.value in ASSIGN_OPS

    @staticmethod
    def _skip_brackets(c: Cursor, j: int) -> int:
        depth = 0
        while True:
            token = c.peek(j)
            if token is None:
                return -1
            if token.is_op("[", "(", "{"):
                depth += 1
            elif token.is_op("]", ")", "}"):
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1

    def keyword_statement(self, c: Cursor, line: LogicalLine) -> ast.Stmt | None:
        first = line.tokens[0]
        word = first.upper
        structural = self.structural(word, c, line)
        if structural is not False:
            return structural  # type: ignore[return-value]
        if phrases.is_method_statement(c):  # `items.push(4)`: docs/basic-compatibility.md E3
            return self.tolerant(line, lambda: self._expression_statement(c, line))
        phrase, consumed = self.phrase(c, _STATEMENT_PHRASES)
        is_proc = str(first.value).lower() in self.b.proc_names
        # §4.0: statement keywords, then procedures of the file, then value keywords
        if phrase is not None and not (is_proc and phrase not in STATEMENTS):
            return self.simple(phrase, consumed, c, line)
        if is_proc:
            return self.proc_call(c, line)
        if c.peek(1) is not None and c.peek(1).is_op("("):  # type: ignore[union-attr]
            return self.tolerant(line, lambda: self._expression_statement(c, line))
        return self.unknown(first, line)

    def phrase(self, c: Cursor, phrases: AbstractSet[str]) -> tuple[str | None, int]:
        """The longest keyword phrase at the cursor, and how many tokens it spans."""
        first = c.peek()
        if first is None or first.kind != NAME or \
                first.upper.split("_", 1)[0] not in _FIRST_WORDS:
            return None, 0  # no phrase starts with this word: the common case
        words: list[str] = []
        ends: list[int] = []
        for offset in range(4):
            token = c.peek(offset)
            if token is None or token.kind != NAME:
                break
            words.extend(w for w in token.upper.split("_") if w)
            ends.append(len(words))
            if offset + 1 < 4 and (c.peek(offset + 1) is None or c.peek(offset + 1).is_op("(")):  # type: ignore[union-attr]
                break
        for count in range(len(ends), 0, -1):
            phrase = " ".join(words[: ends[count - 1]])
            if phrase in phrases:
                return phrase, count
        if first.upper.startswith("LOG_") and first.upper in phrases:
            return first.upper, 1
        return None, 0

    # -- simple statements ---------------------------------------------------------------
    def simple(self, phrase: str, consumed: int, c: Cursor, line: LogicalLine) -> ast.Stmt | None:
        first = line.tokens[0]
        c.pos += consumed
        rule = STATEMENTS.get(phrase)
        if rule is None and phrase in STATEMENT_VALUE_KEYWORDS:
            rule = "value"
        if rule is None:
            return self.unknown(first, line)
        if phrase == "HEAR":
            return self.hear(c, None, line)
        if phrase == "ASK":
            return self.tolerant(line, lambda: self.ask(c, None, line))
        if rule in ("param", "description", "webhook", "create_index", "schedule"):
            return self.tolerant(line, lambda: self.declaration(rule, phrase, c, line))
        return self.tolerant(line, lambda: self.command(phrase, rule, c, line))

    def tolerant(self, line: LogicalLine, build: object) -> ast.Stmt | None:
        try:
            return build()  # type: ignore[operator, no-any-return]
        except ParseError as err:
            if self.b.mod.strict or err.in_expression:
                raise  # a broken expression is an error (docs/basic-compatibility.md D2)
            self.sink.warning(f"skipped statement: {err.message}", err.line, err.col, err.width)
            return ast.Unknown(line.tokens[0].upper, line.line, line.tokens[0].col)

    def unknown(self, first: Token, line: LogicalLine) -> ast.Stmt:
        message = f"unknown statement '{first.value}'" + spelling.keyword_hint(str(first.value))
        if self.b.mod.strict:
            raise ParseError(message, line.line, first.col, first.end_col - first.col)
        self.sink.warning(message, line.line, first.col, first.end_col - first.col)
        return ast.Unknown(str(first.value), line.line, first.col)

    def command(self, phrase: str, rule: str, c: Cursor, line: LogicalLine) -> ast.Stmt:
        cmd = self.command_node(phrase, rule, c, line)
        c.expect_end()
        return cmd

    def command_node(self, phrase: str, rule: str, c: Cursor, line: LogicalLine) -> ast.Command:
        parse = getattr(self, f"_cmd_{rule}", None)
        if parse is not None:
            return parse(phrase, c, line)  # type: ignore[no-any-return]
        return self.generic(phrase, c, line)

    def generic(self, phrase: str, c: Cursor, line: LogicalLine,
                args: tuple[ast.Expr, ...] = ()) -> ast.Command:
        clause_words = CLAUSES.get(phrase, ())
        positional = list(args) + self.expr_list(c, clause_words)
        clauses: list[tuple[str, tuple[ast.Expr, ...]]] = []
        while c.at_word(*clause_words) and clause_words:
            word = c.next().upper
            if phrase == "READ" and c.peek() is not None and c.peek().kind == NAME:  # type: ignore[union-attr]
                mode = c.next()  # READ … AS LINES: a bare word, not a variable
                clauses.append((word, (ast.Literal(str(mode.value).upper()),)))
                continue
            clauses.append((word, tuple(self.expr_list(c, clause_words))))
        return ast.Command(phrase, tuple(positional), tuple(clauses), line.line,
                           line.tokens[0].col)

    def expr_list(self, c: Cursor, stop_words: tuple[str, ...] = ()) -> list[ast.Expr]:
        items: list[ast.Expr] = []
        if c.done or (stop_words and c.at_word(*stop_words)):
            return items
        while True:
            items.append(self.x.expr(c))
            if not c.accept_op(","):
                return items

    def _cmd_value(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        return self.generic(phrase, c, line)

    # -- assignments -------------------------------------------------------------------
    def assignment(self, c: Cursor, line: LogicalLine) -> ast.Stmt | None:
        force = c.accept_word("LET", "SET", "CONST")
        target = self.target(c)
        op_token = c.next()
        op = str(op_token.value)
        if isinstance(target, ast.Name) and target.name.upper() in _RESERVED:
            raise ParseError(f"cannot assign to '{target.name}'", line.line, target.col,
                             len(target.name))
        value = self.right_side(c, line, target)
        if isinstance(value, ast.Hear | ast.CallProc):
            return value
        c.expect_end()
        return ast.Assign(target, op, value, line.line, force)

    def target(self, c: Cursor) -> ast.Target:
        token = c.peek()
        node: ast.Target
        if token is not None and token.is_op(".") and self.x.in_with:
            c.next()
            name = c.name()
            node = ast.WithMember(str(name.value), token.line, token.col)
        else:
            name = c.name()
            node = ast.Name(str(name.value), name.line, name.col)
        while True:
            if c.at_op(".") and c.peek(1) is not None and c.peek(1).kind == NAME:  # type: ignore[union-attr]
                c.next()
                member = c.next()
                node = ast.Member(node, str(member.value), member.line, member.col)
            elif c.at_op("[") and not c.peek().space_before:  # type: ignore[union-attr]
                c.next()
                index = self.x.expr(c)
                c.expect_op("]")
                node = ast.Index(node, index, node.line, node.col)
            else:
                return node

    def right_side(self, c: Cursor, line: LogicalLine, target: ast.Target | None
                   ) -> ast.Expr | ast.Hear | ast.CallProc:
        """An expression, or a value keyword in keyword form (§4.17)."""
        token = c.peek()
        if token is not None and token.kind == NAME:
            if token.is_word("HEAR"):
                c.next()
                return self.hear(c, target, line)
            if token.is_word("ASK"):
                c.next()
                return self.ask(c, target, line)
            if token.is_word("CALL"):
                c.next()
                return self.call_statement(c, line, target)
            known = phrases.known_phrase(self.x, c)  # `SEARCH PRODUCTS q` is not SEARCH
            if known is not None:
                return known
            start = c.pos
            phrase, consumed = self.phrase(c, VALUE_KEYWORDS)
            after = c.peek(consumed)
            if phrase is not None and consumed == 1 and self.b.stmts_declares(str(token.value)) \
                    and (after is None or after.kind == OP):
                phrase = None  # `count = count + 1`: the variable, not the keyword
            if phrase is not None and (after is None or not after.is_op("(")):
                c.pos += consumed
                keyword = phrase
                return phrases.keyword_or_phrase(  # `SEARCH WEB "q"`: a longer phrase (E1)
                    self.x, c, start, consumed + 1, self.b.stmts_declares,
                    lambda: ast.KeywordExpr(self.command_node(
                        keyword, STATEMENTS.get(keyword, "value"), c, line), token.line,
                        token.col))
            c.pos = start
            if phrase is not None:
                expr = self.x.expr(c)
                if not c.done and c.at_op(","):
                    c.pos = start + consumed
                    cmd = self.command_node(phrase, STATEMENTS.get(phrase, "value"), c, line)
                    return ast.KeywordExpr(cmd, token.line, token.col)
                return expr
        # `MAX a, b`, `REWRITE text`: docs/basic-compatibility.md E1, E7
        return phrases.assignment_value(self.x, c, self.b.stmts_declares)

    # -- dialogs -----------------------------------------------------------------------
    def hear(self, c: Cursor, target: ast.Target | None, line: LogicalLine) -> ast.Hear:
        if target is None:
            if c.done:
                raise c.error("HEAR needs a variable")
            target = self.target(c)
        return hear_form(self, c, target, None, line)

    def ask(self, c: Cursor, target: ast.Target | None, line: LogicalLine) -> ast.Hear:
        prompt = self.x.expr(c)
        return hear_form(self, c, target, prompt, line)

    # -- structure ---------------------------------------------------------------------
    def structural(self, word: str, c: Cursor, line: LogicalLine) -> ast.Stmt | bool | None:
        from engine.basic import structure

        return structure.parse(self, word, c, line)

    def label(self, token: Token, line: LogicalLine) -> ast.Stmt:
        if not self.b.at_top:
            raise ParseError(f"label '{token.value}' must be at the top level of its body",
                             line.line, token.col, token.end_col - token.col)
        return ast.Label(str(token.value).lower(), line.line)

    def proc_call(self, c: Cursor, line: LogicalLine) -> ast.Stmt:
        name = c.next()
        args = self.call_args(c)
        c.expect_end()
        return ast.CallProc(str(name.value).lower(), tuple(args), line.line)

    def call_args(self, c: Cursor) -> list[ast.Expr]:
        if c.at_op("(") and self._paren_spans_rest(c):
            c.next()
            args = [] if c.accept_op(")") else self.expr_list(c)
            if args:
                c.expect_op(")")
            return args
        return self.expr_list(c)

    @staticmethod
    def _paren_spans_rest(c: Cursor) -> bool:
        depth = 0
        j = c.pos
        while j < len(c.tokens):
            token = c.tokens[j]
            if token.is_op("(", "[", "{"):
                depth += 1
            elif token.is_op(")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return j == len(c.tokens) - 1
            j += 1
        return False

    def call_statement(self, c: Cursor, line: LogicalLine, target: ast.Target | None = None
                       ) -> ast.CallProc | ast.KeywordExpr:
        token = c.next()
        script = False
        if token.kind == STRING:
            name = "".join(p for p in token.value if isinstance(p, str))  # type: ignore[attr-defined]
            script = True
            if name.startswith("/"):  # CALL "/api/…", args: Hearth's REST API (compat C1)
                return self._call_api(c, line, token)
            c.accept_op(",")  # CALL "script.bas", args (compat C1)
        elif token.kind == NAME:
            name = str(token.value)
            while self._hyphen_continues(c):
                c.next()
                name += "-" + str(c.next().value)
                script = True
        else:
            raise ParseError("expected a procedure or script name after CALL", token.line,
                             token.col)
        args = self.call_args(c)
        c.expect_end()
        if name.lower().endswith(".bas"):
            name = name[:-4]
            script = True
        return ast.CallProc(name.lower(), tuple(args), line.line, script, target)

    def _call_api(self, c: Cursor, line: LogicalLine, token: Token) -> ast.KeywordExpr:
        c.pos -= 1
        url = self.x.primary(c)
        args = self.expr_list(c) if c.accept_op(",") else []
        c.expect_end()
        cmd = ast.Command("CALL API", (url, *args), line=line.line, col=token.col)
        return ast.KeywordExpr(cmd, token.line, token.col)

    @staticmethod
    def _hyphen_continues(c: Cursor) -> bool:
        """``CALL send-report``: a ``-`` glued to name parts continues a script name."""
        dash, part = c.peek(), c.peek(1)
        return (dash is not None and dash.is_op("-") and not dash.space_before
                and part is not None and part.kind in (NAME, NUMBER) and not part.space_before)

    def _expression_statement(self, c: Cursor, line: LogicalLine) -> ast.Stmt:
        expr = self.x.expr(c)
        c.expect_end()
        return ast.ExprStmt(expr, line.line)

    def raw_text_after(self, token: Token) -> str:
        text = self.source_lines[token.line - 1]
        return text[token.end_col - 1:].split("'")[0].strip()

    def text_block(self, c: Cursor, line: LogicalLine) -> ast.Stmt:
        return text_block(self, c, line)

    def literal_string(self, token: Token) -> str | None:
        if token.kind != STRING:
            return None
        parts = token.value
        assert isinstance(parts, tuple)
        return "".join(p for p in parts if isinstance(p, str))

    def string_arg(self, c: Cursor) -> str:
        token = c.next()
        value = self.literal_string(token)
        if value is None:
            raise ParseError("expected a string", token.line, token.col)
        return value
