"""Unit tests of the statement forms of docs/basic-compatibility.md (issue 11) that the
transcript cases under ``compat/`` do not reach: parse shapes, edge values, refusals."""

from __future__ import annotations

import pytest

from engine.basic import ast
from engine.basic.diagnostics import DiagnosticSink
from engine.basic.joinlines import join_where_continuations
from engine.basic.lexer import tokenize
from engine.basic.sqlcolumns import sql_quoted_default
from tests.engine.basic.conftest import BasicKit


def _lines(source: str) -> list[list[str]]:
    lines = join_where_continuations(tokenize(source, DiagnosticSink()))
    return [[str(t.value) for t in line.tokens if not isinstance(t.value, tuple)]
            for line in lines]


def test_where_continues_on_lines_starting_with_and_or_order_limit() -> None:
    source = 'r = FIND "t" WHERE a = 1\n  AND b = 2\n  OR c = 3\n  ORDER BY a\n  LIMIT 2\n' \
             'TALK r\nx = 1\nLIMIT = 2\n'
    lines = _lines(source)
    assert lines[0][-9:] == ["OR", "c", "=", "3", "ORDER", "BY", "a", "LIMIT", "2"]
    assert lines[1:] == [["TALK", "r"], ["x", "=", "1"], ["LIMIT", "=", "2"]]


def test_a_free_text_star_ends_its_line() -> None:
    lines = _lines('HEAR x AS "a", "b", *\nTALK x\n')
    assert lines == [["HEAR", "x", "AS", ",", ",", "*"], ["TALK", "x"]]


def test_find_clauses_in_the_syntax_tree(basic: BasicKit) -> None:
    program = basic.program('r = FIND ALL "orders" ORDER BY total DESC, id LIMIT 5\n')
    stmt = program.module.body[0]
    assert isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.KeywordExpr)
    cmd = stmt.value.command
    assert cmd.keyword == "FIND" and len(cmd.args) == 1
    order = cmd.clause("ORDER")
    assert order is not None
    assert [getattr(e, "value", None) for e in order] == ["total", True, "id", False]
    assert cmd.clause("LIMIT") is not None


def test_find_limit_must_be_a_whole_number(basic: BasicKit) -> None:
    run = basic.run('n = -1\nr = FIND "orders" LIMIT n\n')
    assert run.error is not None and run.error.kind == "ValueError"


def test_set_header_forms(basic: BasicKit) -> None:
    run = basic.run('SET HEADER Content-Type = "text/plain"\nSET HEADER "X-A", "1"\n'
                    'name = "X-B"\nSET HEADER name, "2"\n')
    assert run.error is None
    assert run.vm.headers == {"Content-Type": "text/plain", "X-A": "1", "X-B": "2"}


def test_sql_quoted_defaults() -> None:
    line = "    note TEXT DEFAULT 'it''s new', "
    assert sql_quoted_default(line, line.index("DEFAULT") + len("DEFAULT") + 1) == "it's new"
    assert sql_quoted_default("x DEFAULT 'open", 10) is None


def test_table_sql_forms_and_their_warnings(basic: BasicKit) -> None:
    program = basic.program("TABLE t\n  a TEXT DEFAULT 'x',\n  b INT REFERENCES other(id),\n"
                            "  c TEXT,\n  PRIMARY KEY (a),\n  UNIQUE (c),\n"
                            "  FOREIGN KEY (b) REFERENCES other(id),\n  UNIQUE(a, c)\nEND TABLE\n")
    table = program.module.tables[0]
    fields = {f.name: f for f in table.fields}
    assert fields["a"].default == "x" and fields["a"].key and fields["c"].unique
    warnings = [d.message for d in program.diagnostics]
    assert any("REFERENCES" in w for w in warnings)
    assert any("FOREIGN ignored" in w for w in warnings)
    # UNIQUE(a, c) is a constraint of the table now, not a warning (compat T1)
    assert table.unique == (("a", "c"),)
    assert not any("UNIQUE" in w for w in warnings)


def test_computed_defaults_are_kept_without_a_warning(basic: BasicKit) -> None:
    program = basic.program("TABLE t\n  a TIMESTAMP DEFAULT NOW(),\n  b DATE DEFAULT TODAY(),"
                            "\n  c TEXT DEFAULT CURRENT_TIMESTAMP,\n  d TEXT DEFAULT UUID()\n"
                            "END TABLE\n")
    fields = {f.name: f.computed_default for f in program.module.tables[0].fields}
    assert fields == {"a": "now", "b": "today", "c": "now", "d": "uuid"}
    assert not [d.message for d in program.diagnostics if "DEFAULT" in d.message]


def test_end_table_after_a_trailing_comma(basic: BasicKit) -> None:
    program = basic.program("TABLE t\n  a TEXT,\n  b INT,\nEND TABLE\nTALK 1\n")
    assert [f.name for f in program.module.tables[0].fields] == ["a", "b"]


def test_hear_default_is_read_as_the_type(basic: BasicKit) -> None:
    run = basic.run('HEAR ok AS BOOLEAN DEFAULT "no"\nTALK TYPEOF(ok) + " " + ok\n', [""])
    assert run.said == ["boolean false"]


def test_a_one_string_menu_with_a_prompt_stays_a_menu(basic: BasicKit) -> None:
    run = basic.run('x = ASK "Sure?" AS "yes"\nTALK x\n', ["YES"])
    assert run.said == ["Sure?", "yes"]


def test_for_in_keeps_for_to(basic: BasicKit) -> None:
    run = basic.run("FOR i = 1 TO 2\nTALK i\nNEXT\nFOR x IN [3]\nTALK x\nNEXT\n")
    assert run.said == ["1", "2", "3"]


@pytest.mark.parametrize("path", ["/api/bots/otherbot/tables/t/rows", "/api/health",
                                  "/api"])
def test_api_paths_that_are_not_mapped(basic: BasicKit, path: str) -> None:
    run = basic.run(f'x = GET "{path}"\n')
    assert run.error is not None and run.error.kind == "ServiceError"
    assert path.split("?")[0] in str(run.error)


def test_get_of_an_empty_text_is_an_error(basic: BasicKit) -> None:
    run = basic.run('p = ""\nx = GET p\n')
    assert run.error is not None and run.error.kind == "ValueError"
