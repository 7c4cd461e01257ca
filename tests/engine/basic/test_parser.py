"""The parser (BASIC.md §4–§9): statement forms, block structure, tolerance and errors."""

from __future__ import annotations

import pytest

from engine.basic import ast
from engine.basic.diagnostics import Diagnostic
from engine.basic.parser import parse


def parsed(source: str, strict: bool = False) -> ast.Module:
    """The module of a source that must parse without any diagnostic."""
    module, diagnostics = parse(source, strict)
    assert diagnostics == [], [(d.line, d.col, d.message) for d in diagnostics]
    return module


def only(source: str) -> ast.Stmt:
    body = parsed(source).body
    assert len(body) == 1, body
    return body[0]


def errors(source: str, strict: bool = False) -> list[tuple[int, int, str]]:
    _, diagnostics = parse(source, strict)
    return [(d.line, d.col, d.message) for d in diagnostics if d.is_error]


def warnings(source: str) -> list[Diagnostic]:
    _, diagnostics = parse(source)
    return [d for d in diagnostics if not d.is_error]


def describe(stmt: ast.Stmt) -> str:
    """A compact name of what a line parsed to: ``Command:TALK``, ``Assign>KeywordExpr:FIND``."""
    if isinstance(stmt, ast.Command):
        return f"Command:{stmt.keyword}"
    if isinstance(stmt, ast.Assign):
        value = stmt.value
        if isinstance(value, ast.KeywordExpr):
            return f"Assign>KeywordExpr:{value.command.keyword}"
        if isinstance(value, ast.Call):
            return f"Assign>Call:{value.name}"
        return f"Assign>{type(value).__name__}"
    return type(stmt).__name__


# --- every simple statement form of §4–§9 ------------------------------------------------------

FORMS = [
    # §4.1 assignment
    ("total = 0", "Assign>Literal"),
    ('LET name = "Ana"', "Assign>Literal"),
    ("SET user.email = LCASE(email)", "Assign>Call:LCASE"),
    ('items[0] = "first"', "Assign>Literal"),
    ("counter += 1", "Assign>Literal"),
    ("CONST vat = 0.21", "Assign>Literal"),
    ("DIM notes", "Dim"),
    ('case = FIND "cases", "id", id', "Assign>KeywordExpr:FIND"),
    ('filter = "open"', "Assign>Literal"),
    ("r = CALL vat(100)", "CallProc"),
    # §4.9–4.11, 4.14–4.16
    ("CALL send-report", "CallProc"),
    ('CALL "other.bas"', "CallProc"),
    ("RETURN", "Return"),
    ("RETURN x + 1", "Return"),
    ("RETURN WITH a AS 1, b AS 2", "Return"),
    ("END", "End"),
    ("GOTO somewhere", "Goto"),
    ("ON ERROR RESUME NEXT", "OnError"),
    ("ON ERROR GOTO 0", "OnError"),
    ('THROW "bad"', "Command:THROW"),
    ('RAISE "bad"', "Command:RAISE"),
    ('ASSERT x > 0, "x must be positive"', "Command:ASSERT"),
    ("CLEAR ERROR", "Command:CLEAR ERROR"),
    ("PRINT a, b; c", "Command:PRINT"),
    ('LOG_INFO "x"', "Command:LOG_INFO"),
    ('LOG_WARN("y")', "Command:LOG_WARN"),
    ('LOG_ERROR "z"', "Command:LOG_ERROR"),
    ('LOG_DEBUG "w"', "Command:LOG_DEBUG"),
    ("WAIT 1.5", "Command:WAIT"),
    ("OPTION STRICT", "Nothing"),
    ("PUSH list, 1", "Command:PUSH"),
    ("APPEND list, 2", "Command:APPEND"),
    ("o = NEW OBJECT", "Assign>Call:NEW_OBJECT"),
    ("a = NEW ARRAY", "Assign>Call:NEW_ARRAY"),
    ('s = FORMAT x AS "0.00"', "Assign>Call:FORMAT"),
    # §5 dialog
    ('TALK "hi", name', "Command:TALK"),
    ('TALK TO "+5511999999999", "msg"', "Command:TALK TO"),
    ('SEND TO "x@y.z", "msg"', "Command:SEND TO"),
    ("HEAR answer", "Hear"),
    ("x = HEAR", "Hear"),
    ('x = ASK "Your name?"', "Hear"),
    ('ASK "Continue?"', "Hear"),
    ('ADD SUGGESTION "key" AS "label"', "Command:ADD SUGGESTION"),
    ('ADD_SUGGESTION TEXT "value"', "Command:ADD SUGGESTION"),
    ('ADD SUGGESTION TOOL "tool" AS "label"', "Command:ADD SUGGESTION"),
    ("CLEAR SUGGESTIONS", "Command:CLEAR SUGGESTIONS"),
    ('ADD SWITCHER "id" AS "label"', "Command:ADD SWITCHER"),
    ("CLEAR SWITCHERS", "Command:CLEAR SWITCHERS"),
    ('SET CONTEXT "name" AS "text"', "Command:SET CONTEXT"),
    ('TRANSFER TO HUMAN "sales", "high", "why"', "Command:TRANSFER TO HUMAN"),
    ('SET USER "u2"', "Command:SET USER"),
    # §6 AI
    ('x = LLM "prompt"', "Assign>KeywordExpr:LLM"),
    ('USE MODEL "fast"', "Command:USE MODEL"),
    ('USE KB "docs"', "Command:USE KB"),
    ("CLEAR KB ALL", "Command:CLEAR KB"),
    ('r = THINK KB "question"', "Assign>KeywordExpr:THINK KB"),
    ('USE WEBSITE "https://example.com" REFRESH "1d"', "Command:USE WEBSITE"),
    ("CLEAR WEBSITES", "Command:CLEAR WEBSITES"),
    ('USE TOOL "create-ticket"', "Command:USE TOOL"),
    ('ADD TOOL "x.bas"', "Command:ADD TOOL"),
    ("CLEAR TOOLS", "Command:CLEAR TOOLS"),
    ('t = TRANSLATE text, "pt"', "Assign>KeywordExpr:TRANSLATE"),
    ("s = SUMMARIZE text", "Assign>KeywordExpr:SUMMARIZE"),
    ('c = CLASSIFY text, ["a", "b"]', "Assign>KeywordExpr:CLASSIFY"),
    ("s = SENTIMENT text", "Assign>KeywordExpr:SENTIMENT"),
    ('id = SAVE FROM UNSTRUCTURED "leads", text', "Assign>KeywordExpr:SAVE FROM UNSTRUCTURED"),
    ("t = OCR image", "Assign>KeywordExpr:OCR"),
    ("c = SEE image", "Assign>KeywordExpr:SEE"),
    # §7 data
    ('rows = FIND "orders", "status = \'open\'"', "Assign>KeywordExpr:FIND"),
    ('SAVE "table", id, map', "Command:SAVE"),
    ('r = INSERT "t", m', "Assign>KeywordExpr:INSERT"),
    ('INSERT INTO "t" VALUES m', "Command:INSERT"),
    ('n = UPDATE "t", "id = 1", m', "Assign>KeywordExpr:UPDATE"),
    ('n = DELETE "t", "id = 1"', "Assign>KeywordExpr:DELETE"),
    ('r = MERGE "t", rows, "key"', "Assign>KeywordExpr:MERGE"),
    ('MERGE "t" WITH rows BY "key"', "Command:MERGE"),
    ('SET "t", "id = 1", "a = 2"', "Command:SET"),
    ('r = SEARCH "t", "q", 5', "Assign>KeywordExpr:SEARCH"),
    ('n = COUNT("t", "a = 1")', "Assign>Call:COUNT"),
    ("f = FIRST rows", "Assign>KeywordExpr:FIRST"),
    ("l = LAST(rows)", "Assign>Call:LAST"),
    ('g = GROUP BY rows, "city"', "Assign>KeywordExpr:GROUP BY"),
    # §8 memory and state
    ('SET BOT MEMORY "k", v', "Command:SET BOT MEMORY"),
    ('x = GET BOT MEMORY("k")', "Assign>Call:GET_BOT_MEMORY"),
    ('x = GET BOT MEMORY "k"', "Assign>KeywordExpr:GET BOT MEMORY"),
    ('x = GET_BOT_MEMORY("k")', "Assign>Call:GET_BOT_MEMORY"),
    ('SET USER MEMORY "k", v', "Command:SET USER MEMORY"),
    ('REMEMBER "k", v, "1 day"', "Command:REMEMBER"),
    ("REMEMBER k = v", "Command:REMEMBER"),
    ('x = RECALL "k"', "Assign>KeywordExpr:RECALL"),
    ('SET SESSION "k", v', "Command:SET SESSION"),
    ('x = GET SESSION "k"', "Assign>KeywordExpr:GET SESSION"),
    ('x = GET "session.user_id"', "Assign>KeywordExpr:GET"),
    # §9 files, HTTP, messaging, scheduling
    ('x = POST "https://x", body', "Assign>KeywordExpr:POST"),
    ('x = PUT "https://x", body', "Assign>KeywordExpr:PUT"),
    ('x = PATCH "https://x", body', "Assign>KeywordExpr:PATCH"),
    ('x = DELETE HTTP "https://x"', "Assign>KeywordExpr:DELETE HTTP"),
    ('SET HEADER "a", "b"', "Command:SET HEADER"),
    ("CLEAR HEADERS", "Command:CLEAR HEADERS"),
    ('p = DOWNLOAD "https://x/f.pdf", "docs/f.pdf"', "Assign>KeywordExpr:DOWNLOAD"),
    ('x = READ "a.txt" AS LINES', "Assign>KeywordExpr:READ"),
    ('WRITE "a.txt", content', "Command:WRITE"),
    ('WRITE content TO "a.txt"', "Command:WRITE"),
    ('x = LIST "folder"', "Assign>KeywordExpr:LIST"),
    ('COPY "a" TO "b"', "Command:COPY"),
    ('MOVE "a", "b"', "Command:MOVE"),
    ('DELETE FILE "a"', "Command:DELETE FILE"),
    ('p = UPLOAD file, "dest"', "Assign>KeywordExpr:UPLOAD"),
    ('p = COMPRESS files, "a.zip"', "Assign>KeywordExpr:COMPRESS"),
    ('l = EXTRACT "a.zip", "folder/"', "Assign>KeywordExpr:EXTRACT"),
    ('p = GENERATE PDF tpl, data, "out.pdf"', "Assign>KeywordExpr:GENERATE PDF"),
    ('p = MERGE PDF files, "out.pdf"', "Assign>KeywordExpr:MERGE PDF"),
    ('SEND FILE "a.pdf", "caption"', "Command:SEND FILE"),
    ('SEND FILE TO "x@y.z", "a.pdf"', "Command:SEND FILE TO"),
    ('SEND SMS "+1", "msg"', "Command:SEND SMS"),
    ('SEND TEMPLATE "name", "to", vars', "Command:SEND TEMPLATE"),
    ('SEND_MAIL "a@b.c", "subj", "body"', "Command:SEND MAIL"),
    ('SEND EMAIL "a@b.c", "subj", "body" USING "acct"', "Command:SEND EMAIL"),
    ('id = CREATE DRAFT "a@b.c", "s", "b"', "Assign>KeywordExpr:CREATE DRAFT"),
    ('PUBLISH EVENT "name", data', "Command:PUBLISH EVENT"),
    ('x = WAIT FOR EVENT "name" TIMEOUT 10', "Assign>KeywordExpr:WAIT FOR EVENT"),
    ('id = CREATE_TASK "t", "d"', "Assign>KeywordExpr:CREATE TASK"),
    ('id = BOOK "t", "d", start, 30', "Assign>KeywordExpr:BOOK"),
    ('w = WEATHER "Lisbon"', "Assign>KeywordExpr:WEATHER"),
]


@pytest.mark.parametrize(("source", "expected"), FORMS, ids=[f[0] for f in FORMS])
def test_statement_form(source: str, expected: str) -> None:
    assert describe(only(source)) == expected


def test_assignment_shape_beats_keywords() -> None:
    stmt = only('case = FIND "cases", "id", id')
    assert isinstance(stmt, ast.Assign)
    assert stmt.target == ast.Name("case", 1, 1)


def test_index_target_needs_the_bracket_glued_to_the_name() -> None:
    assign = only("a[0] = 1")
    assert isinstance(assign, ast.Assign)
    assert isinstance(assign.target, ast.Index)
    talk = only("TALK [1, 2] = [1, 2]")
    assert isinstance(talk, ast.Command)
    assert isinstance(talk.args[0], ast.Binary)
    assert talk.args[0].op == "="


def test_assignment_targets_and_operators() -> None:
    stmt = only("cfg.server.port += 80")
    assert isinstance(stmt, ast.Assign)
    assert stmt.op == "+="
    assert stmt.target == ast.Member(ast.Member(ast.Name("cfg", 1, 1), "server", 1, 5),
                                     "port", 1, 12)
    assert isinstance(only("SET x = 1"), ast.Assign)
    let = only("LET x = 1")
    assert isinstance(let, ast.Assign)
    assert let.force_variable


@pytest.mark.parametrize(
    ("source", "value"),
    [("DIM notes", None), ("DIM tags()", ast.Call("_DIM_ARRAY", (), 1, 5, "")),
     ('DIM label AS STRING = "x"', ast.Literal("x", 1, 23))],
)
def test_dim_forms(source: str, value: ast.Expr | None) -> None:
    stmt = only(source)
    assert isinstance(stmt, ast.Dim)
    assert stmt.value == value


def test_dim_with_size() -> None:
    stmt = only("DIM slots(2)")
    assert isinstance(stmt, ast.Dim)
    assert isinstance(stmt.value, ast.Call)
    assert stmt.value.args == (ast.Literal(2, 1, 11),)


@pytest.mark.parametrize("word", ["ERR", "TRUE", "null", "And"])
def test_assigning_to_a_reserved_word_is_an_error(word: str) -> None:
    assert errors(f"{word} = 1") == [(1, 1, f"cannot assign to '{word}'")]


# --- HEAR and ASK (§5.3) ------------------------------------------------------------------


def test_hear_forms() -> None:
    plain = only("HEAR answer")
    assert plain == ast.Hear(ast.Name("answer", 1, 6), None, (), None, 1)
    typed = only("HEAR email AS EMAIL")
    assert isinstance(typed, ast.Hear)
    assert typed.type_name == "EMAIL"
    menu = only('HEAR dept AS "Sales", "Support"')
    assert isinstance(menu, ast.Hear)
    assert menu.type_name is None
    assert menu.menu == (ast.Literal("Sales", 1, 14), ast.Literal("Support", 1, 23))


def test_hear_type_aliases_are_canonical() -> None:
    stmt = only("HEAR n AS INT")
    assert isinstance(stmt, ast.Hear)
    assert stmt.type_name == "INTEGER"


def test_hear_as_a_declared_array_variable_is_a_menu() -> None:
    body = parsed('sizes = ["S", "M"]\nHEAR size AS sizes').body
    hear = body[1]
    assert isinstance(hear, ast.Hear)
    assert hear.menu == (ast.Name("sizes", 2, 14),)


def test_hear_unknown_type_is_a_warning_and_text() -> None:
    module, diagnostics = parse("HEAR x AS COLOUR")
    assert [(d.severity, d.message) for d in diagnostics] == [
        ("warning", "unknown HEAR type 'COLOUR'; read as TEXT")]
    hear = module.body[0]
    assert isinstance(hear, ast.Hear)
    assert hear.type_name == "TEXT"


def test_hear_value_form_and_ask() -> None:
    value = only("x = HEAR AS BOOLEAN")
    assert value == ast.Hear(ast.Name("x", 1, 1), "BOOLEAN", (), None, 1)
    ask = only('x = ASK "Age?" AS INTEGER')
    assert isinstance(ask, ast.Hear)
    assert ask.prompt == ast.Literal("Age?", 1, 9)
    assert ask.type_name == "INTEGER"


def test_hear_into_a_property_path() -> None:
    stmt = only("HEAR lead.email AS EMAIL")
    assert isinstance(stmt, ast.Hear)
    assert isinstance(stmt.target, ast.Member)


# --- IF (§4.2) -------------------------------------------------------------------------------


def test_block_if_with_all_clause_spellings() -> None:
    stmt = only("IF a THEN\n x = 1\nELSE IF b THEN\n x = 2\nELSEIF c\n x = 3\nELSE\n x = 4\nENDIF")
    assert isinstance(stmt, ast.If)
    assert [c.line for c in stmt.clauses] == [1, 3, 5, 7]
    assert [c.condition for c in stmt.clauses] == [
        ast.Name("a", 1, 4), ast.Name("b", 3, 9), ast.Name("c", 5, 8), None]
    assert all(len(c.body) == 1 for c in stmt.clauses)


def test_block_if_without_then() -> None:
    stmt = only("IF a\n x = 1\nEND IF")
    assert isinstance(stmt, ast.If)
    assert len(stmt.clauses) == 1


def test_statement_after_block_else_is_its_first_statement() -> None:
    stmt = only("IF a THEN\n x = 1\nELSE x = 2\n y = 3\nEND IF")
    assert isinstance(stmt, ast.If)
    assert [describe(s) for s in stmt.clauses[1].body] == ["Assign>Literal", "Assign>Literal"]


@pytest.mark.parametrize(
    ("source", "then_count", "else_count"),
    [("IF qty > 100 THEN qty = 100", 1, None),
     ('IF ok THEN TALK "Saved" ELSE TALK "Not saved"', 1, 1),
     ('IF NOT p THEN p = "m" END IF', 1, None),
     ("IF a THEN x = [1, 2] ELSE x = {b: 1}", 1, 1)],
)
def test_single_line_if(source: str, then_count: int, else_count: int | None) -> None:
    stmt = only(source)
    assert isinstance(stmt, ast.If)
    assert len(stmt.clauses[0].body) == then_count
    if else_count is None:
        assert len(stmt.clauses) == 1
    else:
        assert stmt.clauses[1].condition is None
        assert len(stmt.clauses[1].body) == else_count


def test_single_line_if_nested_if_takes_the_else() -> None:
    stmt = only("IF a THEN IF b THEN x = 1 ELSE x = 2")
    assert isinstance(stmt, ast.If)
    assert len(stmt.clauses) == 1
    inner = stmt.clauses[0].body[0]
    assert isinstance(inner, ast.If)
    assert len(inner.clauses) == 2


def test_single_line_if_cannot_open_a_block() -> None:
    assert errors("IF a THEN FOR i = 1 TO 2") == [
        (1, 11, "'FOR' cannot follow THEN on the same line")]


def test_single_line_if_with_unknown_statement_is_tolerated() -> None:
    module, diagnostics = parse("IF a THEN FROB 1")
    assert [d.message for d in diagnostics] == ["unknown statement 'FROB'"]
    stmt = module.body[0]
    assert isinstance(stmt, ast.If)
    assert isinstance(stmt.clauses[0].body[0], ast.Unknown)


# --- SELECT (§4.3) ---------------------------------------------------------------------------


def test_select_case_items() -> None:
    stmt = only('SELECT CASE UCASE(a)\n CASE "NEW", "CREATE"\n CASE IS >= 100\n'
                " CASE 1 TO 9\n CASE ELSE\nEND SELECT")
    assert isinstance(stmt, ast.Select)
    kinds = [[(i.kind, i.op) for i in case.items] for case in stmt.cases]
    assert kinds == [[("eq", "="), ("eq", "=")], [("is", ">=")], [("range", "")], []]
    range_item = stmt.cases[2].items[0]
    assert (range_item.value, range_item.high) == (ast.Literal(1, 4, 7), ast.Literal(9, 4, 12))


@pytest.mark.parametrize(
    ("opener", "default", "closer"),
    [("SELECT x", "DEFAULT", "END SELECT"), ("SWITCH x", "CASE ELSE", "END SWITCH"),
     ("SWITCH x", "DEFAULT", "END SELECT"), ("SELECT CASE x", "CASE ELSE", "END SWITCH")],
)
def test_select_spellings(opener: str, default: str, closer: str) -> None:
    stmt = only(f"{opener}\nCASE 1\n TALK 1\n{default}\n TALK 2\n{closer}")
    assert isinstance(stmt, ast.Select)
    assert [len(c.items) for c in stmt.cases] == [1, 0]


def test_is_operator_aliases_in_case() -> None:
    stmt = only("SELECT x\nCASE IS != 1, IS == 2\nEND SELECT")
    assert isinstance(stmt, ast.Select)
    assert [i.op for i in stmt.cases[0].items] == ["<>", "="]


def test_comments_between_select_and_first_case_are_fine() -> None:
    assert isinstance(only("SELECT x\n  ' the cases\nCASE 1\nEND SELECT"), ast.Select)


def test_case_assignment_is_not_a_case_clause() -> None:
    body = parsed("case = 1\ncase.x = 2\ncase[0] = 3").body
    assert [describe(s) for s in body] == ["Assign>Literal"] * 3


def test_case_with_an_array_literal_is_a_case_clause() -> None:
    stmt = only("SELECT x\nCASE [1, 2]\n TALK 1\nEND SELECT")
    assert isinstance(stmt, ast.Select)
    assert isinstance(stmt.cases[0].items[0].value, ast.ArrayLit)


# --- loops (§4.4–§4.8) -------------------------------------------------------------------------


@pytest.mark.parametrize("closer", ["NEXT", "NEXT i", "END FOR", "next I"])
def test_for_closers(closer: str) -> None:
    stmt = only(f"FOR i = 1 TO 10 STEP 3\n TALK i\n{closer}")
    assert isinstance(stmt, ast.For)
    assert (stmt.start, stmt.end, stmt.step) == (
        ast.Literal(1, 1, 9), ast.Literal(10, 1, 14), ast.Literal(3, 1, 22))
    assert len(stmt.body) == 1


def test_for_without_step() -> None:
    stmt = only("FOR i = a TO b\nNEXT")
    assert isinstance(stmt, ast.For)
    assert stmt.step is None


def test_for_each() -> None:
    stmt = only('FOR EACH row IN FIND("orders", "x = 1")\n TALK row.id\nEND FOR')
    assert isinstance(stmt, ast.ForEach)
    assert stmt.var == ast.Name("row", 1, 10)
    assert isinstance(stmt.iterable, ast.Call)


@pytest.mark.parametrize("closer", ["WEND", "END WHILE"])
def test_while(closer: str) -> None:
    stmt = only(f"WHILE attempts < 3\n attempts += 1\n{closer}")
    assert isinstance(stmt, ast.While)
    assert len(stmt.body) == 1


@pytest.mark.parametrize(
    ("opener", "closer", "until", "test_first", "has_condition"),
    [("DO WHILE c", "LOOP", False, True, True), ("DO UNTIL c", "LOOP", True, True, True),
     ("DO", "LOOP WHILE c", False, False, True), ("DO", "LOOP UNTIL c", True, False, True),
     ("DO", "LOOP", False, False, False)],
)
def test_do_loop_forms(opener: str, closer: str, until: bool, test_first: bool,
                       has_condition: bool) -> None:
    stmt = only(f"{opener}\n n += 1\n{closer}")
    assert isinstance(stmt, ast.DoLoop)
    assert (stmt.until, stmt.test_first) == (until, test_first)
    assert (stmt.condition is not None) == has_condition


def test_do_loop_with_two_conditions_is_an_error() -> None:
    assert errors("DO WHILE a\nLOOP UNTIL b") == [
        (2, 6, "a DO loop has one condition, found 'UNTIL'")]


@pytest.mark.parametrize(
    ("source", "node", "kind"),
    [("FOR i = 1 TO 2\n EXIT FOR\nNEXT", ast.Exit, "FOR"),
     ("FOR EACH v IN a\n CONTINUE FOR\nNEXT", ast.Continue, "FOR"),
     ("WHILE x\n EXIT WHILE\nWEND", ast.Exit, "WHILE"),
     ("WHILE x\n CONTINUE WHILE\nWEND", ast.Continue, "WHILE"),
     ("DO\n EXIT DO\nLOOP", ast.Exit, "DO"),
     ("DO\n CONTINUE DO\nLOOP", ast.Continue, "DO")],
)
def test_exit_and_continue(source: str, node: type, kind: str) -> None:
    loop = only(source)
    inner = loop.body[0]  # type: ignore[union-attr]
    assert isinstance(inner, node)
    assert inner.kind == kind  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("source", "message"),
    [("EXIT FOR", "EXIT FOR outside FOR"), ("CONTINUE DO", "CONTINUE DO outside DO"),
     ("WHILE a\n EXIT DO\nWEND", "EXIT DO outside DO"), ("EXIT SUB", "EXIT SUB outside SUB"),
     ("SUB s\n EXIT FUNCTION\nEND SUB", "EXIT FUNCTION outside FUNCTION"),
     ("EXIT LOOP", "expected FOR or WHILE or DO or SUB or FUNCTION after EXIT, found 'LOOP'")],
)
def test_exit_outside_its_construct(source: str, message: str) -> None:
    assert [e[2] for e in errors(source)] == [message]


def test_next_must_name_the_innermost_variable() -> None:
    assert errors("FOR i = 1 TO 2\n FOR j = 1 TO 2\n NEXT i\nNEXT j") == [
        (3, 7, "'NEXT i' does not match 'FOR j'"), (4, 6, "'NEXT j' does not match 'FOR i'")]


# --- WITH (§4.12) ------------------------------------------------------------------------------


def test_with_block_assignments() -> None:
    stmt = only("WITH ticket\n id = 1\n .priority = \"high\"\n LET v = .id\nEND WITH")
    assert isinstance(stmt, ast.With)
    assert stmt.target == ast.Name("ticket", 1, 6)
    first, second, third = stmt.body
    assert isinstance(first, ast.Assign)
    assert isinstance(second, ast.Assign)
    assert isinstance(third, ast.Assign)
    assert first.target == ast.Name("id", 2, 2)
    assert not first.force_variable
    assert second.target == ast.WithMember("priority", 3, 2)
    assert third.force_variable
    assert third.value == ast.WithMember("id", 4, 10)


def test_with_property_path_target() -> None:
    stmt = only("WITH order.customer\n name = 1\nEND WITH")
    assert isinstance(stmt, ast.With)
    assert isinstance(stmt.target, ast.Member)


def test_with_option_line_is_a_warning() -> None:
    module, diagnostics = parse('WITH OPTIMIZE FOR "speed"')
    assert [(d.severity, d.message) for d in diagnostics] == [
        ("warning", "WITH option line ignored")]
    assert module.body == (ast.Nothing(1),)


def test_leading_dot_outside_with_is_an_error() -> None:
    assert errors(".x = 1") == [(1, 1, "unexpected")]


# --- procedures, calls, labels (§4.9, §4.10) ---------------------------------------------------


def test_sub_and_function_declarations() -> None:
    module = parsed("SUB notify(BYVAL lead, score AS INTEGER)\n TALK lead\nEND SUB\n"
                    "FUNCTION vat(amount, rate = 0.21) AS NUMBER\n RETURN amount * rate\n"
                    "END FUNCTION\nTALK vat(10)")
    assert len(module.body) == 1
    notify = module.procedures["notify"]
    assert (notify.is_function, [p.name for p in notify.params], notify.line) == (
        False, ["lead", "score"], 1)
    vat = module.procedures["vat"]
    assert vat.is_function
    assert vat.params[1] == ast.ProcParam("rate", ast.Literal(0.21, 4, 29))


def test_procedure_names_are_case_insensitive_keys() -> None:
    module = parsed("SUB DoThing\nEND SUB\ndothing")
    assert list(module.procedures) == ["dothing"]
    assert module.body == (ast.CallProc("dothing", (), 3),)


@pytest.mark.parametrize(
    "source",
    ["CALL notify(lead, 80)", "CALL notify lead, 80", "notify(lead, 80)", "notify lead, 80"],
)
def test_procedure_call_spellings(source: str) -> None:
    module = parsed(f"SUB notify(a, b)\nEND SUB\n{source}")
    call = module.body[0]
    assert isinstance(call, ast.CallProc)
    assert (call.name, len(call.args), call.script) == ("notify", 2, False)


def test_call_before_definition() -> None:
    module = parsed("greet\nSUB greet\nEND SUB")
    assert module.body == (ast.CallProc("greet", (), 1),)


def test_parenthesised_first_argument_is_not_the_argument_list() -> None:
    module = parsed("SUB s(a, b)\nEND SUB\ns (1 + 2) * 3, 4")
    call = module.body[0]
    assert isinstance(call, ast.CallProc)
    assert len(call.args) == 2
    assert isinstance(call.args[0], ast.Binary)


def test_a_procedure_beats_a_value_keyword_of_the_same_name() -> None:
    module = parsed("SUB summarize(x)\n TALK x\nEND SUB\nsummarize notes\nASK 1")
    assert describe(module.body[0]) == "CallProc"
    assert describe(module.body[1]) == "Hear"


def test_a_statement_keyword_beats_a_procedure_of_the_same_name() -> None:
    module = parsed("SUB talk(x)\nEND SUB\nTALK 1")
    assert describe(module.body[0]) == "Command:TALK"


@pytest.mark.parametrize(
    ("source", "name", "script"),
    [("CALL send-report", "send-report", True), ('CALL "Other.bas"', "other", True),
     ("CALL helper", "helper", False),
     ("CALL report-2026(1)", "report-2026", True)],
)
def test_call_of_another_script(source: str, name: str, script: bool) -> None:
    call = only(source)
    assert isinstance(call, ast.CallProc)
    assert (call.name, call.script) == (name, script)


def test_value_call_keeps_its_target() -> None:
    call = only('r = CALL check("x")')
    assert isinstance(call, ast.CallProc)
    assert call.target == ast.Name("r", 1, 1)
    assert call.args == (ast.Literal("x", 1, 16),)


def test_return_with_builds_a_map() -> None:
    stmt = only("RETURN WITH ok AS TRUE, n AS 2")
    assert isinstance(stmt, ast.Return)
    assert isinstance(stmt.value, ast.MapLit)
    assert [k for k, _ in stmt.value.pairs] == ["ok", "n"]


def test_return_of_a_value_keyword() -> None:
    stmt = only('RETURN FIND "t"')
    assert isinstance(stmt, ast.Return)
    assert isinstance(stmt.value, ast.KeywordExpr)


def test_labels_and_goto() -> None:
    module = parsed("retry:\n  attempt += 1\nIF attempt < 3 THEN GOTO Retry")
    assert module.body[0] == ast.Label("retry", 1)
    goto = module.body[2].clauses[0].body[0]  # type: ignore[union-attr]
    assert goto == ast.Goto("retry", 3, 26)


def test_on_error_forms() -> None:
    body = parsed("ON ERROR RESUME NEXT\nON ERROR GOTO handler\nON ERROR GOTO 0\nhandler:").body
    assert [(s.mode, s.label) for s in body[:3]] == [  # type: ignore[union-attr]
        ("resume", None), ("goto", "handler"), ("off", None)]


def test_on_event_handler() -> None:
    module = parsed('ON EVENT "order.paid" DO\n TALK event.data\nEND ON\nTALK 1')
    assert [(h.event, len(h.body), h.line) for h in module.handlers] == [("order.paid", 1, 1)]
    assert len(module.body) == 1


# --- text blocks (§4.13) -------------------------------------------------------------------


def test_begin_talk_block() -> None:
    stmt = only("BEGIN TALK\n    **Welcome, ${name}!**\n\n    • orders\nEND TALK")
    assert stmt == ast.TextBlock(
        "TALK", ("**Welcome, ", ast.Name("name", 2, 18), "!**", "\n", "\n", "• orders"),
        None, 1)


def test_begin_system_prompt_and_mail_blocks() -> None:
    prompt = only("BEGIN_SYSTEM_PROMPT\n  Be brief.\nEND_SYSTEM_PROMPT")
    assert prompt == ast.TextBlock("SYSTEM PROMPT", ("Be brief.",), None, 1)
    mail = only('BEGIN MAIL "a@b.c"\nSubject: Hi\n\nBody \\${x}\nEND MAIL')
    assert isinstance(mail, ast.TextBlock)
    assert mail.recipient == ast.Literal("a@b.c", 1, 12)
    assert "".join(p for p in mail.parts if isinstance(p, str)) == "Subject: Hi\n\nBody ${x}"


# --- compile-time declarations (§9.6, §9.7, §11) ---------------------------------------------


def test_declarations_fill_the_module() -> None:
    module = parsed('PARAM name AS STRING LIKE "Ana" DESCRIPTION "the name"\n'
                    'DESCRIPTION "greets people"\nSET SCHEDULE "every day at 9am"\n'
                    'WEBHOOK "orders"\nON EMAIL "sales@x.com" FROM "boss@x.com"\n'
                    "TABLE leads\n  name STRING NOT NULL\nEND TABLE")
    assert [p.name for p in module.params] == ["name"]
    assert module.description == "greets people"
    assert [s.spec for s in module.schedules] == ["every day at 9am"]
    assert module.webhooks == ["orders"]
    assert module.email_triggers == [("sales@x.com", "boss@x.com", None)]
    assert [t.name for t in module.tables] == ["leads"]
    assert all(isinstance(s, ast.Nothing) for s in module.body)


def test_option_strict_first_statement_sets_strict() -> None:
    assert parsed("OPTION STRICT\nx = 1").strict
    assert not parsed("x = 1\nOPTION STRICT").strict


# --- tolerant and strict unknown statements (§4.0, §12.8) --------------------------------


def test_unknown_statement_is_a_warning_in_tolerant_mode() -> None:
    module, diagnostics = parse("FROBNICATE 1, 2\nTALK 1")
    assert [(d.severity, d.line, d.col, d.width, d.message) for d in diagnostics] == [
        ("warning", 1, 1, 10, "unknown statement 'FROBNICATE'")]
    assert module.body[0] == ast.Unknown("FROBNICATE", 1, 1)
    assert describe(module.body[1]) == "Command:TALK"


def test_unknown_statement_is_an_error_in_strict_mode() -> None:
    assert errors("FROBNICATE 1", strict=True) == [(1, 1, "unknown statement 'FROBNICATE'")]
    assert errors("OPTION STRICT\nFROBNICATE 1") == [(2, 1, "unknown statement 'FROBNICATE'")]


def test_end_of_an_unknown_block_is_an_unknown_statement() -> None:
    module, diagnostics = parse("END PARALLEL")
    assert [d.message for d in diagnostics] == ["unknown statement 'END'"]
    assert module.body == (ast.Unknown("END", 1, 1),)


def test_simple_keyword_with_bad_arguments_is_skipped_in_tolerant_mode() -> None:
    module, diagnostics = parse('WEBHOOK POST "/x" WITH {\n}\nTALK 1')
    assert [d.severity for d in diagnostics] == ["warning"]
    assert diagnostics[0].message.startswith("skipped statement:")
    assert isinstance(module.body[0], ast.Unknown)
    assert describe(module.body[1]) == "Command:TALK"


def test_simple_keyword_with_bad_arguments_is_an_error_in_strict_mode() -> None:
    assert errors("TALK 1 +* 2", strict=True) == [(1, 9, "expected an expression, found '*'")]


@pytest.mark.parametrize(
    "source",
    ["x = 1 +* 2", "IF (a THEN\nEND IF", "FOR i = TO 3\nNEXT", "WHILE\nWEND", "a[1] = )"],
)
def test_block_lines_and_assignments_must_parse(source: str) -> None:
    assert errors(source), source


def test_call_of_a_builtin_is_an_expression_statement() -> None:
    body = parsed('UCASE("x")\nLOG_INFO("y")').body
    assert [describe(s) for s in body] == ["ExprStmt", "Command:LOG_INFO"]


def test_push_in_function_spelling_keeps_its_target() -> None:
    push = only("PUSH(list, 1)")
    assert isinstance(push, ast.Command)
    assert (push.keyword, push.names, len(push.args)) == ("PUSH", ("list",), 2)


# --- block errors are reported at the opening line ---------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [("x = 1\nIF x THEN\n TALK 1", (2, 1, "'IF' without 'END IF'")),
     ("FOR i = 1 TO 3\n TALK i", (1, 1, "'FOR' without 'NEXT'")),
     ("FOR EACH v IN a\n TALK v", (1, 1, "'FOR' without 'NEXT'")),
     ("WHILE TRUE\n TALK 1", (1, 1, "'WHILE' without 'WEND'")),
     ("  DO\n TALK 1", (1, 3, "'DO' without 'LOOP'")),
     ("SELECT x\nCASE 1\n TALK 1", (1, 1, "'SELECT' without 'END SELECT'")),
     ("WITH t\n a = 1", (1, 1, "'WITH' without 'END WITH'")),
     ("SUB s\n TALK 1", (1, 1, "'SUB' without 'END SUB'")),
     ("FUNCTION f\n f = 1", (1, 1, "'FUNCTION' without 'END FUNCTION'")),
     ('ON EVENT "e"\n TALK 1', (1, 1, "'ON EVENT' without 'END ON'")),
     ("BEGIN TALK\nhello", (1, 1, "BEGIN TALK without END TALK")),
     ("TABLE t\n name STRING", (1, 1, "'TABLE' without 'END TABLE'"))],
)
def test_unclosed_block_is_reported_once_at_its_opener(
        source: str, expected: tuple[int, int, str]) -> None:
    assert errors(source) == [expected]


def test_unclosed_inner_block_is_reported_at_the_inner_opener() -> None:
    source = "FOR i = 1 TO 3\n  IF i = 2 THEN\n    TALK i\nNEXT"
    assert errors(source) == [(2, 3, "'IF' without 'END IF'")]


@pytest.mark.parametrize(
    ("closer", "message"),
    [("END IF", "'END IF' without 'IF'"), ("ENDIF", "'ENDIF' without 'IF'"),
     ("NEXT", "'NEXT' without 'FOR'"), ("WEND", "'WEND' without 'WHILE'"),
     ("LOOP", "'LOOP' without 'DO'"), ("END SELECT", "'END SELECT' without 'SELECT'"),
     ("CASE 1", "'CASE' without 'SELECT'"), ("END WITH", "'END WITH' without 'WITH'"),
     ("END SUB", "'END SUB' without 'SUB'"), ("ELSE", "'ELSE' without 'IF'")],
)
def test_closer_without_opener_is_reported_at_its_own_line(closer: str, message: str) -> None:
    assert errors(f"x = 1\n  {closer}\ny = 2") == [(2, 3, message)]


def test_clause_order_errors() -> None:
    assert errors("IF a THEN\nELSE\nELSE\nEND IF")[0] == (3, 1, "'ELSE' after ELSE")
    assert errors("SELECT x\nCASE ELSE\nCASE 1\nEND SELECT")[0] == (
        3, 1, "CASE ELSE must be the last clause")
    assert errors("SELECT x\n TALK 1\nCASE 1\nEND SELECT")[0] == (
        2, 1, "statements between SELECT and the first CASE")


def test_procedures_are_top_level_only() -> None:
    assert errors("IF a THEN\n SUB s\n END SUB\nEND IF")[0][2] == (
        "SUB must be declared at the top level")
    assert errors("SUB a\n FUNCTION b\n END FUNCTION\nEND SUB")[0][2] == (
        "FUNCTION must be declared at the top level")


def test_labels_only_at_the_top_of_a_body() -> None:
    assert errors("IF a THEN\ninner:\nEND IF") == [
        (2, 1, "label 'inner' must be at the top level of its body")]
    assert errors("SUB s\nok:\n  GOTO ok\nEND SUB") == []


def test_several_errors_are_reported_in_source_order() -> None:
    source = ("TALK 1\nEND IF\nx = = 1\nFOR i = 1 TO 2\nNEXT j\nWEND\n"
              'y = "open\n')
    assert errors(source) == [
        (2, 1, "'END IF' without 'IF'"),
        (3, 5, "expected an expression, found '='"),
        (5, 6, "'NEXT j' does not match 'FOR i'"),
        (6, 1, "'WEND' without 'WHILE'"),
        (7, 5, "unterminated string literal"),
    ]


def test_errors_and_warnings_are_interleaved_by_position() -> None:
    _, diagnostics = parse("FROB 1\nx = 1 +* 2\n#pragma\nEND IF")
    assert [(d.line, d.severity) for d in diagnostics] == [
        (1, "warning"), (2, "error"), (3, "warning"), (4, "error")]


def test_parse_continues_after_an_error_inside_a_block() -> None:
    module, diagnostics = parse("FOR i = 1 TO 2\n x = 1 +* 2\n TALK i\nNEXT")
    assert [d.line for d in diagnostics] == [2]
    loop = module.body[0]
    assert isinstance(loop, ast.For)
    assert describe(loop.body[0]) == "Command:TALK"
