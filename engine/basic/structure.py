"""Block statements and control flow: IF, loops, SELECT, WITH, procedures, jumps (§4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.basic import ast
from engine.basic.blocks import closer_of
from engine.basic.expressions import Cursor, ParseError
from engine.basic.formsubmit import parse_on_form
from engine.basic.lexer import NAME, NUMBER, LogicalLine

if TYPE_CHECKING:
    from engine.basic.statements import StatementParser

_IF_STOP = frozenset({"ELSEIF", "ELSE", "END IF"})
_CASE_STOP = frozenset({"CASE", "END SELECT"})


def parse(sp: StatementParser, word: str, c: Cursor, line: LogicalLine) -> ast.Stmt | bool | None:
    """The statement if ``word`` opens a structural statement, else False."""
    handler = _HANDLERS.get(word)
    if handler is None:
        return False
    if word == "END" and not _is_bare_end(c):
        return False
    after = c.peek(1)
    if word == "ON" and not (after is not None and
                             after.is_word("ERROR", "EVENT", "EMAIL", "FORM")):
        return False
    if word == "SELECT" and c.peek(1) is None:
        return False
    c.next()
    return handler(sp, c, line)


def _is_bare_end(c: Cursor) -> bool:
    return len(c.tokens) == 1


# -- IF ------------------------------------------------------------------------------------
def _if(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    condition = sp.x.expr(c)
    if c.accept_word("THEN") and not c.done:
        return _single_line_if(sp, condition, c, line)
    c.expect_end()
    clauses: list[ast.IfClause] = []
    body = sp.b.nested(_IF_STOP)
    clauses.append(ast.IfClause(condition, tuple(body), line.line))
    seen_else = False
    while sp.b.has_line():
        clause_line = sp.b.current_line()
        closer = closer_of(clause_line.tokens)
        if closer == "END IF":
            sp.b.advance()
            return ast.If(tuple(clauses), line.line)
        if closer not in ("ELSE", "ELSEIF"):
            break
        sp.b.advance()
        if seen_else:
            raise ParseError(f"'{clause_line.tokens[0].value}' after ELSE", clause_line.line,
                             clause_line.tokens[0].col, 4)
        clauses.append(_clause(sp, clause_line, closer))
        seen_else = closer == "ELSE"
    raise ParseError("'IF' without 'END IF'", line.line, line.tokens[0].col, 2)


def _clause(sp: StatementParser, clause_line: LogicalLine, closer: str) -> ast.IfClause:
    c = Cursor(clause_line.tokens, clause_line.line)
    c.next()
    condition: ast.Expr | None = None
    if closer == "ELSEIF":
        if c.at_word("IF"):
            c.next()
        condition = sp.x.expr(c)
        c.accept_word("THEN")
    first: list[ast.Stmt] = []
    if not c.done:
        stmt = sp.b.line_statement(LogicalLine(tuple(c.tokens[c.pos:]), clause_line.line))
        if stmt is not None:
            first.append(stmt)
    body = first + sp.b.nested(_IF_STOP)
    return ast.IfClause(condition, tuple(body), clause_line.line)


def _single_line_if(sp: StatementParser, condition: ast.Expr, c: Cursor,
                    line: LogicalLine) -> ast.Stmt:
    rest = list(c.tokens[c.pos:])
    if len(rest) >= 2 and rest[-2].is_word("END") and rest[-1].is_word("IF"):
        rest = rest[:-2]
    elif rest and rest[-1].is_word("ENDIF", "END_IF"):
        rest = rest[:-1]
    then_tokens, else_tokens = _split_else(rest)
    then_stmt = _inline(sp, then_tokens, line)
    clauses = [ast.IfClause(condition, (then_stmt,) if then_stmt else (), line.line)]
    if else_tokens is not None:
        else_stmt = _inline(sp, else_tokens, line)
        clauses.append(ast.IfClause(None, (else_stmt,) if else_stmt else (), line.line))
    return ast.If(tuple(clauses), line.line)


def _split_else(tokens: list) -> tuple[list, list | None]:  # type: ignore[type-arg]
    if tokens and tokens[0].is_word("IF"):
        return tokens, None  # a nested single-line IF takes the ELSE (§4.2)
    depth = 0
    for j, token in enumerate(tokens):
        if token.is_op("(", "[", "{"):
            depth += 1
        elif token.is_op(")", "]", "}"):
            depth -= 1
        elif depth == 0 and token.is_word("ELSE"):
            return tokens[:j], tokens[j + 1:]
    return tokens, None


def _inline(sp: StatementParser, tokens: list, line: LogicalLine) -> ast.Stmt | None:  # type: ignore[type-arg]
    if not tokens:
        raise ParseError("expected a statement", line.line, line.tokens[-1].end_col)
    first = tokens[0]
    if first.kind == NAME and first.upper in ("FOR", "WHILE", "DO", "SELECT", "SWITCH",
                                              "WITH", "SUB", "FUNCTION", "BEGIN"):
        raise ParseError(f"'{first.value}' cannot follow THEN on the same line",
                         first.line, first.col)
    inner = LogicalLine(tuple(tokens), line.line)
    return sp.statement(Cursor(inner.tokens, line.line), inner)


# -- loops ---------------------------------------------------------------------------------
def _for(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    each = c.accept_word("EACH")
    if not each:  # `FOR x IN list` is FOR EACH (compat L2)
        head = c.pos
        sp.target(c)
        each = c.at_word("IN")
        c.pos = head
    if each:
        var = sp.target(c)
        c.expect_word("IN")
        iterable = _iterable(sp, c, line)
        c.accept_word("DO")
        c.expect_end()
        body = sp.b.nested(frozenset({"NEXT", "END FOR"}), "FOR")
        _close_for(sp, line, var)
        return ast.ForEach(var, iterable, tuple(body), line.line)
    var = sp.target(c)
    c.expect_op("=")
    start = sp.x.expr(c)
    c.expect_word("TO")
    end = sp.x.expr(c)
    step = sp.x.expr(c) if c.accept_word("STEP") else None
    c.expect_end()
    body = sp.b.nested(frozenset({"NEXT", "END FOR"}), "FOR")
    _close_for(sp, line, var)
    return ast.For(var, start, end, step, tuple(body), line.line)


def _iterable(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Expr:
    """FOR EACH's collection: an expression or a value keyword (`IN FIND "t" WHERE …`),
    optionally followed by ``LAST n`` (the last n elements, compat L2)."""
    value = sp.right_side(c, line, None)
    if isinstance(value, ast.Hear | ast.CallProc):
        raise ParseError("FOR EACH cannot wait for input", line.line, 1)
    if c.accept_word("LAST"):
        count = sp.x.expr(c)
        negative = ast.Unary("-", count, line.line, 1)
        value = ast.Call("SLICE", (value, negative), line.line, 1)
    return value


def _close_for(sp: StatementParser, line: LogicalLine, var: ast.Target) -> None:
    if sp.b.expect_closer(line, frozenset({"NEXT", "END FOR"}), "FOR") is None:
        raise ParseError("'FOR' without 'NEXT'", line.line, line.tokens[0].col, 3)
    closing = sp.b.advance()
    tokens = closing.tokens
    if tokens[0].is_word("NEXT") and len(tokens) > 1:
        named = str(tokens[1].value).lower()
        expected = var.name.lower() if isinstance(var, ast.Name) else ""
        if named != expected:
            raise ParseError(f"'NEXT {tokens[1].value}' does not match 'FOR {expected}'",
                             closing.line, tokens[1].col, tokens[1].end_col - tokens[1].col)


def _while(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    condition = sp.x.expr(c)
    c.accept_word("DO")  # `WHILE cond DO` (compat L2)
    c.expect_end()
    body = sp.b.nested(frozenset({"WEND", "END WHILE"}), "WHILE")
    if sp.b.expect_closer(line, frozenset({"WEND", "END WHILE"}), "WHILE") is None:
        raise ParseError("'WHILE' without 'WEND'", line.line, line.tokens[0].col, 5)
    sp.b.advance()
    return ast.While(condition, tuple(body), line.line)


def _do(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    condition: ast.Expr | None = None
    until = False
    test_first = False
    if c.at_word("WHILE", "UNTIL"):
        until = c.next().upper == "UNTIL"
        condition = sp.x.expr(c)
        test_first = True
    c.expect_end()
    body = sp.b.nested(frozenset({"LOOP"}), "DO")
    if sp.b.expect_closer(line, frozenset({"LOOP"}), "DO") is None:
        raise ParseError("'DO' without 'LOOP'", line.line, line.tokens[0].col, 2)
    closing = sp.b.advance()
    lc = Cursor(closing.tokens, closing.line)
    lc.next()
    if lc.at_word("WHILE", "UNTIL"):
        if test_first:
            raise lc.error("a DO loop has one condition")
        until = lc.next().upper == "UNTIL"
        condition = sp.x.expr(lc)
    lc.expect_end()
    return ast.DoLoop(condition, until, test_first, tuple(body), line.line)


# -- SELECT ------------------------------------------------------------------------------
def _select(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    c.accept_word("CASE")
    subject = sp.x.expr(c)
    c.expect_end()
    before = sp.b.nested(_CASE_STOP)
    if before:
        raise ParseError("statements between SELECT and the first CASE", before[0].line, 1)
    cases: list[ast.CaseClause] = []
    seen_else = False
    while sp.b.has_line():
        case_line = sp.b.current_line()
        closer = closer_of(case_line.tokens)
        if closer == "END SELECT":
            sp.b.advance()
            return ast.Select(subject, tuple(cases), line.line)
        if closer != "CASE":
            break
        sp.b.advance()
        if seen_else:
            raise ParseError("CASE ELSE must be the last clause", case_line.line, 1, 4)
        items = _case_items(sp, case_line)
        seen_else = not items
        body = sp.b.nested(_CASE_STOP)
        cases.append(ast.CaseClause(tuple(items), tuple(body), case_line.line))
    raise ParseError("'SELECT' without 'END SELECT'", line.line, line.tokens[0].col, 6)


def _case_items(sp: StatementParser, case_line: LogicalLine) -> list[ast.CaseItem]:
    c = Cursor(case_line.tokens, case_line.line)
    if c.next().upper == "DEFAULT" or (c.at_word("ELSE") and len(c.tokens) == 2):
        return []
    items: list[ast.CaseItem] = []
    while True:
        if c.accept_word("IS"):
            op_token = c.next()
            op = {"==": "=", "!=": "<>"}.get(str(op_token.value), str(op_token.value))
            if op not in ("=", "<>", "<", ">", "<=", ">="):
                raise ParseError("expected a comparison after IS", op_token.line, op_token.col)
            items.append(ast.CaseItem("is", op, sp.x.expr(c)))
        else:
            low = sp.x.expr(c)
            if c.accept_word("TO"):
                items.append(ast.CaseItem("range", "", low, sp.x.expr(c)))
            else:
                items.append(ast.CaseItem("eq", "=", low))
        if not c.accept_op(","):
            break
    c.expect_end()
    return items


# -- WITH ----------------------------------------------------------------------------------
def _with(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    start = c.pos
    try:
        target = sp.target(c)
        c.expect_end()
    except ParseError:
        c.pos = start
        sp.sink.warning("WITH option line ignored", line.line, line.tokens[0].col, 4)
        return ast.Nothing(line.line)
    sp.x.in_with += 1
    try:
        body = sp.b.nested(frozenset({"END WITH"}))
    finally:
        sp.x.in_with -= 1
    if sp.b.expect_closer(line, frozenset({"END WITH"}), "WITH") is None:
        raise ParseError("'WITH' without 'END WITH'", line.line, line.tokens[0].col, 4)
    sp.b.advance()
    return ast.With(target, tuple(body), line.line)


# -- procedures and handlers ---------------------------------------------------------------
def _procedure(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt | None:
    is_function = line.tokens[0].is_word("FUNCTION")
    kind = "FUNCTION" if is_function else "SUB"
    if not sp.b.at_top or sp.b.proc_kind is not None:
        raise ParseError(f"{kind} must be declared at the top level", line.line,
                         line.tokens[0].col, len(kind))
    name = c.name()
    params = _proc_params(sp, c)
    c.accept_word("AS") and c.next()
    c.expect_end()
    sp.b.proc_kind = kind
    mod = sp.b.mod
    outer = (len(mod.params), mod.description, mod.has_description)
    mod.has_description = False
    try:
        body = sp.b.body(frozenset({f"END {kind}"}))
    finally:
        sp.b.proc_kind = None
        proc_tool = _proc_tool(mod, str(name.value), outer, line.line)
    if sp.b.expect_closer(line, frozenset({f"END {kind}"}), kind) is None:
        raise ParseError(f"'{kind}' without 'END {kind}'", line.line, line.tokens[0].col,
                         len(kind))
    sp.b.advance()
    key = str(name.value).lower()
    sp.b.mod.procedures[key] = ast.Procedure(str(name.value), is_function, tuple(params),
                                             tuple(body), line.line)
    if proc_tool is not None:
        mod.proc_tools.append(proc_tool)
    return None


def _proc_tool(mod: ast.Module, name: str, outer: tuple[int, str | None, bool],
               line: int) -> ast.ProcTool | None:
    """A procedure whose body has a DESCRIPTION line is a tool of its own: its PARAM lines
    (and DESCRIPTION) leave the file's and become the procedure's. Without one, the PARAM
    lines of the body stay the file's, as before (docs/basic-compatibility.md P2)."""
    count, description, has_description = outer
    tool = None
    if mod.has_description:
        tool = ast.ProcTool(name, name.lower(), mod.description or "",
                            tuple(mod.params[count:]), line)
        del mod.params[count:]
    mod.description, mod.has_description = description, has_description
    return tool


def _proc_params(sp: StatementParser, c: Cursor) -> list[ast.ProcParam]:
    params: list[ast.ProcParam] = []
    if not c.accept_op("("):
        return params
    while not c.accept_op(")"):
        c.accept_word("BYVAL", "BYREF", "OPTIONAL")
        name = c.name()
        if c.accept_word("AS"):
            c.name()
        default = sp.x.expr(c) if c.accept_op("=") else None
        params.append(ast.ProcParam(str(name.value), default))
        if not c.accept_op(","):
            c.expect_op(")")
            break
    return params


def _on(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt | None:
    word = c.next().upper
    if word == "ERROR":
        return _on_error(c, line)
    if word == "EMAIL":
        return sp.on_email(c, line)
    if word == "FORM":
        parse_on_form(sp, c, line)
        return None
    event = sp.x.expr(c)
    if not isinstance(event, ast.Literal) or not isinstance(event.value, str):
        raise ParseError("ON EVENT needs the event name as a string", line.line,
                         line.tokens[2].col if len(line.tokens) > 2 else 1)
    c.accept_word("DO")
    c.expect_end()
    body = sp.b.nested(frozenset({"END ON"}))
    if sp.b.expect_closer(line, frozenset({"END ON"}), "ON EVENT") is None:
        raise ParseError("'ON EVENT' without 'END ON'", line.line, line.tokens[0].col, 8)
    sp.b.advance()
    sp.b.mod.handlers.append(ast.EventHandler(event.value, tuple(body), line.line))
    return None


def _on_error(c: Cursor, line: LogicalLine) -> ast.Stmt:
    col = line.tokens[0].col
    if c.accept_word("RESUME"):
        c.expect_word("NEXT")
        c.expect_end()
        return ast.OnError("resume", None, line.line, col)
    c.expect_word("GOTO")
    token = c.next()
    c.expect_end()
    if token.kind == NUMBER and token.value == 0:
        return ast.OnError("off", None, line.line, col)
    if token.kind != NAME:
        raise ParseError("expected a label after ON ERROR GOTO", token.line, token.col)
    return ast.OnError("goto", str(token.value).lower(), line.line, token.col)


# -- jumps -------------------------------------------------------------------------------
def _exit(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    if c.done:  # a bare EXIT ends the script, like END (compat L1)
        return ast.End(line.line)
    return _jump(sp, c, line, ast.Exit, ("FOR", "WHILE", "DO", "SUB", "FUNCTION"))


def _continue(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    return _jump(sp, c, line, ast.Continue, ("FOR", "WHILE", "DO"))


def _jump(sp: StatementParser, c: Cursor, line: LogicalLine, node: type,
          kinds: tuple[str, ...]) -> ast.Stmt:
    word = line.tokens[0].upper
    if not c.at_word(*kinds):
        raise c.error(f"expected {' or '.join(kinds)} after {word}")
    kind = c.next().upper
    c.accept_word("EACH")
    c.expect_end()
    inside = kind in sp.b.loops if kind in ("FOR", "WHILE", "DO") else sp.b.proc_kind == kind
    if not inside:
        raise ParseError(f"{word} {kind} outside {kind}", line.line, line.tokens[0].col,
                         len(word) + len(kind) + 1)
    return node(kind, line.line)  # type: ignore[no-any-return]


def _goto(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    token = c.name()
    c.expect_end()
    return ast.Goto(str(token.value).lower(), line.line, token.col)


def _return(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    if c.done:
        return ast.Return(None, line.line)
    if c.at_word("WITH"):
        c.next()
        pairs: list[tuple[str, ast.Expr]] = []
        while True:
            key = c.name()
            c.expect_word("AS")
            pairs.append((str(key.value), sp.x.expr(c)))
            if not c.accept_op(","):
                break
        c.expect_end()
        return ast.Return(ast.MapLit(tuple(pairs), line.line, 1), line.line)
    value = sp.right_side(c, line, None)
    if isinstance(value, ast.CallProc | ast.Hear):
        raise ParseError("RETURN cannot wait for input", line.line, 1)
    c.expect_end()
    return ast.Return(value, line.line)


def _end(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    return ast.End(line.line)


def _call(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    call = sp.call_statement(c, line)
    return call.command if isinstance(call, ast.KeywordExpr) else call


def _dim(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    stmts: list[ast.Dim] = []
    while True:
        name = c.name()
        value: ast.Expr | None = None
        if c.accept_op("("):
            size = None if c.at_op(")") else sp.x.expr(c)
            c.expect_op(")")
            value = ast.Call("_DIM_ARRAY", (size,) if size else (), line.line, name.col)
        if c.accept_word("AS"):
            c.name()
            if c.at_op("("):
                c.next()
                c.expect_op(")")
        if c.accept_op("="):
            value = sp.x.expr(c)
        stmts.append(ast.Dim(str(name.value), value, line.line))
        if not c.accept_op(","):
            break
    c.expect_end()
    if len(stmts) == 1:
        return stmts[0]
    return ast.If((ast.IfClause(ast.Literal(True), tuple(stmts), line.line),), line.line)


def _option(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    c.expect_word("STRICT")
    c.expect_end()
    return ast.Nothing(line.line)


def _table(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    return sp.table(c, line)


def _begin(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    return sp.text_block(c, line)


_HANDLERS = {
    "IF": _if, "FOR": _for, "WHILE": _while, "DO": _do, "SELECT": _select, "SWITCH": _select,
    "WITH": _with, "SUB": _procedure, "FUNCTION": _procedure, "ON": _on, "EXIT": _exit,
    "CONTINUE": _continue, "GOTO": _goto, "RETURN": _return, "END": _end, "CALL": _call,
    "DIM": _dim, "OPTION": _option, "TABLE": _table, "BEGIN": _begin, "BEGIN_TALK": _begin,
    "BEGIN_MAIL": _begin, "BEGIN_SYSTEM": _begin, "BEGIN_SYSTEM_PROMPT": _begin,
}
