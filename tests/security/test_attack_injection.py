"""FIND / SAVE injection: SQL metacharacters in filters, values, table and column names, sent
through a webhook (the attacker's text reaches FIND, SAVE, UPDATE, DELETE, COUNT, SEARCH) and
through the REST ``filter`` parameter.

After every attack the bot's SQLite file is read directly: the same tables, the same rows
(``secrets`` still holds its one row), ``PRAGMA integrity_check`` ok; a FIND never returns a
row its filter does not match (none of the attack values is a real title), and ``s3cr3t`` is
never in an answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.api import Engine
from engine.basic.names import table_name
from tests.engine.server.serverkit import auth
from tests.security.attackkit import Attempts, open_with_bots

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND = "FIND/SAVE injection"
TITLES = ["alpha", "beta", "gamma"]
HIDDEN = "s3cr3t"

TABLES = (
    'TABLE notes\n  title STRING\n  owner STRING\nEND TABLE\n'
    'TABLE secrets READ BY "admin" WRITE BY "admin"\n  code STRING\nEND TABLE\n'
)
DATA_HOOK = (
    'WEBHOOK "data"\n'
    'ON ERROR RESUME NEXT\n'
    'mode = body.mode\n'
    'result = NULL\n'
    'IF mode = "filter" THEN\n'
    '  result = FIND body.table, body.filter\n'
    'ELSEIF mode = "pair" THEN\n'
    '  result = FIND body.table, body.column, body.value\n'
    'ELSEIF mode = "map" THEN\n'
    '  result = FIND body.table, body.match\n'
    'ELSEIF mode = "count" THEN\n'
    '  result = COUNT(body.table, body.filter)\n'
    'ELSEIF mode = "search" THEN\n'
    '  result = SEARCH body.table, body.value\n'
    'ELSEIF mode = "save" THEN\n'
    '  result = SAVE body.table, body.row\n'
    'ELSEIF mode = "insert" THEN\n'
    '  result = INSERT body.table, body.row\n'
    'ELSEIF mode = "update" THEN\n'
    '  result = UPDATE body.table, body.filter, body.row\n'
    'ELSEIF mode = "delete" THEN\n'
    '  result = DELETE body.table, body.filter\n'
    'ELSEIF mode = "where" THEN\n'
    '  v = body.value\n'
    '  result = FIND "notes" WHERE title = v OR owner = v\n'
    'ELSEIF mode = "delete where" THEN\n'
    '  v = body.value\n'
    '  result = DELETE FROM "notes" WHERE title = v\n'
    'ELSEIF mode = "update where" THEN\n'
    '  v = body.value\n'
    '  result = UPDATE "notes" SET owner = "mallory" WHERE title = v\n'
    'END IF\n'
    'IF ERR THEN\n'
    '  RETURN {ok: FALSE, kind: ERR.KIND, text: ERR.DESCRIPTION}\n'
    'END IF\n'
    'RETURN {ok: TRUE, result: result}\n'
)

QUOTES = ["'", '"', "\u2019", "\u02bc", "\uff07", "\u2032", "`", "\\'"]
VALUES = [*dict.fromkeys(["' OR '1'='1", "' OR 1=1 --", "'; DROP TABLE secrets; --", "alpha' --",
          "alpha'/*", "alpha'; DELETE FROM notes; --", "%", "_", "%a%", "*", "alpha\x00",
          "alpha' OR 'a'='a", "x') UNION SELECT code, code, code FROM secrets --",
          "1; ATTACH DATABASE '/tmp/x.db' AS x; --", "' || (SELECT code FROM secrets) || '",
          *(f"{q} OR 1=1 --" for q in QUOTES),
          *(f"alpha{q} OR {q}1{q}={q}1" for q in QUOTES)])]
FILTERS = ["title = 'x' OR 1=1", "title = 'x' OR '1'='1'", "title = 'x'; DROP TABLE secrets; --",
           "title = 'x' -- comment", "title = 'x' /* */ OR 1=1", "title = 'x' # comment",
           "title = 'x' UNION SELECT code, code, code FROM secrets",
           "title = x UNION SELECT code FROM secrets", "title = 'x'' OR ''1''=''1'",
           "title = \"x\"\" OR 1=1 --\"", "title = \u02bcx\u02bc OR 1=1",
           "title = \u2019 OR \u20191\u2019=\u20191", "title = \uff07 OR 1=1 --",
           "title LIKE 'q%' ESCAPE '\\'", "title = 'alphax' AND (SELECT 1)",
           "owner IN (SELECT code FROM secrets)", "title = CHAR(97)",
           "title = 'x' OR sqlite_version() > 0", "title = load_extension('x')",
           "title = 'x' ORDER BY (SELECT code FROM secrets)",
           "title = 'x' LIMIT 1; DELETE FROM notes",
           "1=1", "*; DROP TABLE notes", "* --", "title = 'x' OR title IS NOT NULL --'",
           "title = 'x' AND 0 OR 1", "title = 'x\\' OR 1=1 --", "(title = 'x')) OR ((1=1",
           "title = $$x$$ OR 1=1", "title = 'x' OR rowid > 0", "title = 'x' OR _rowid_ > 0",
           "title = 'x' OR oid > 0", "title = 'x' COLLATE NOCASE OR 1=1",
           "title == 'x' OR 'a' == 'a'", "title = x\x00' OR 1=1"]
TABLE_NAMES = ["notes; DROP TABLE secrets", "notes --", "notes\" OR 1=1 --", "sqlite_master",
               "sqlite_schema", "sqlite_sequence", "_hearth_bot_tables", "main.secrets",
               "\"secrets\"", "[secrets]", "`secrets`",
               "notes WHERE 1=1 UNION SELECT * FROM secrets",
               "temp.sqlite_master", "pragma_table_info('secrets')", "secrets/**/", "notes\x00"]
COLUMNS = ["title = title OR 1", "title\" OR 1=1 --", "1=1", "code", "rowid", "sqlite_master",
           "(SELECT code FROM secrets)", "title) OR (1=1", "*"]


@pytest_asyncio.fixture
async def engine(hearth_home: Path) -> AsyncIterator[Engine]:
    opened = await open_with_bots(hearth_home, {"ledger": ({"tables.bas": TABLES,
                                                            "data.bas": DATA_HOOK}, "")})
    try:
        yield opened
    finally:
        await opened.aclose()


class Ledger:
    """The ledger bot's data, from the webhook and straight from its SQLite file."""

    def __init__(self, client: Client, headers: dict[str, str], path: Path) -> None:
        self.client = client
        self.headers = headers
        self.path = path

    async def call(self, *, hidden_ok: bool = False, **body: Any) -> dict[str, Any]:
        reply = await self.client.post("/api/ledger/webhook/data", json=body,
                                       headers=self.headers)
        text = await reply.text()
        assert reply.status == 200, (reply.status, text)
        assert hidden_ok or HIDDEN not in text, text[:300]
        answer: dict[str, Any] = await reply.json()
        return answer

    def snapshot(self) -> tuple[Any, ...]:
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as conn:
            tables = sorted(r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"))
            notes = sorted(r[0] for r in conn.execute("SELECT title FROM notes"))
            secrets = [r[0] for r in conn.execute("SELECT code FROM secrets")]
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        return tables, notes, secrets, check


@pytest_asyncio.fixture
async def ledger(client: Client, app: web.Application, engine: Engine) -> Ledger:
    headers = auth(app, "ada")
    made = Ledger(client, headers, engine.config.work_dir / "ledger" / "tables.db")
    for title, owner in zip(TITLES, ("uma", "ulf", "dan")):
        assert (await made.call(mode="save", table="notes",
                                row={"title": title, "owner": owner}))["ok"]
    assert (await made.call(mode="save", table="secrets", row={"code": HIDDEN}))["ok"]
    control = await made.call(mode="filter", table="notes", filter="title = 'alpha'")
    assert [r["title"] for r in control["result"]] == ["alpha"]
    pair = await made.call(mode="pair", table="notes", column="title", value="beta")
    assert [r["title"] for r in pair["result"]] == ["beta"]
    inline = await made.call(mode="where", value="dan")
    assert [r["title"] for r in inline["result"]] == ["gamma"]
    return made


def _harmless(answer: dict[str, Any]) -> None:
    """A refusal as DataError, or an answer that found / changed nothing."""
    if not answer["ok"]:
        assert answer["kind"] == "DataError", answer
        return
    assert answer["result"] in ([], 0, None), answer


async def _same_table(ledger: Ledger, name: str) -> None:
    """A table name is normalised (BASIC.md §7.1): ``"secrets"`` or ``secrets/**/`` *is* the
    table ``secrets``, by the naming rule; any other name finds nothing."""
    target = table_name(name)
    found = await ledger.call(mode="filter", table=name, filter="*", hidden_ok=True)
    counted = await ledger.call(mode="count", table=name, filter="*", hidden_ok=True)
    if target in ("notes", "secrets"):
        plain = await ledger.call(mode="filter", table=target, filter="*", hidden_ok=True)
        assert found == plain and counted["result"] == len(plain["result"]), (found, plain)
        return
    assert HIDDEN not in str(found) + str(counted)
    _harmless(found)
    _harmless(counted)


async def test_filters_with_sql_in_them(ledger: Ledger) -> None:
    before = ledger.snapshot()
    attempts = Attempts(KIND)
    for text in FILTERS:
        for mode in ("filter", "count", "delete"):
            with attempts.one(f"{mode} {text!r}"):
                _harmless(await ledger.call(mode=mode, table="notes", filter=text))
                assert ledger.snapshot() == before
        with attempts.one(f"update {text!r}"):
            _harmless(await ledger.call(mode="update", table="notes", filter=text,
                                        row={"owner": "mallory"}))
            assert ledger.snapshot() == before
    attempts.verdict(at_least=4 * len(FILTERS))


async def test_values_columns_and_tables_with_sql_in_them(ledger: Ledger) -> None:
    before = ledger.snapshot()
    attempts = Attempts(KIND)
    for value in VALUES:
        with attempts.one(f"FIND column = {value!r}"):
            _harmless(await ledger.call(mode="pair", table="notes", column="title",
                                        value=value))
        with attempts.one(f"FIND map title: {value!r}"):
            _harmless(await ledger.call(mode="map", table="notes", match={"title": value}))
        for mode in ("where", "delete where", "update where"):
            with attempts.one(f"inline {mode.upper()} title = {value!r}"):
                _harmless(await ledger.call(mode=mode, value=value))
        with attempts.one(f"SEARCH {value!r}"):
            answer = await ledger.call(mode="search", table="notes", value=value)
            assert not answer["ok"] or all(
                r["title"] in TITLES for r in answer["result"]), answer
        assert ledger.snapshot() == before
    for column in COLUMNS:
        with attempts.one(f"FIND by column {column!r}"):
            _harmless(await ledger.call(mode="pair", table="notes", column=column,
                                        value="x"))
            _harmless(await ledger.call(mode="map", table="notes", match={column: "x"}))
            assert ledger.snapshot() == before
    for name in TABLE_NAMES:
        with attempts.one(f"FIND in table {name!r}"):
            await _same_table(ledger, name)
            assert ledger.snapshot() == before
    attempts.verdict(at_least=6 * len(VALUES) + len(COLUMNS) + len(TABLE_NAMES))


async def test_saved_values_are_stored_as_they_are(ledger: Ledger) -> None:
    tables, notes, secrets, _ = ledger.snapshot()
    attempts = Attempts(KIND)
    for value in VALUES:
        with attempts.one(f"SAVE title {value!r}"):
            saved = await ledger.call(mode="save", table="notes",
                                      row={"title": value, "owner": value})
            assert saved["ok"], saved
            found = await ledger.call(mode="pair", table="notes", column="title", value=value)
            assert [(r["title"], r["owner"]) for r in found["result"]] == [(value, value)]
            after = ledger.snapshot()
            notes = sorted([*notes, value])
            assert after == (tables, notes, secrets, "ok")
    for name in [*TABLE_NAMES, "notes (title) VALUES ('x'); DROP TABLE secrets; --"]:
        with attempts.one(f"SAVE into table {name!r}"):
            saved = await ledger.call(mode="save", table=name, row={"title": "t"})
            assert saved["ok"] or saved["kind"] == "DataError", saved
            if table_name(name) == "notes":  # the same table by the naming rule (§7.1)
                assert saved["ok"], saved
                notes = sorted([*notes, "t"])
            now = ledger.snapshot()
            assert now[1:] == (notes, secrets, "ok")
            assert set(tables) <= set(now[0])
            assert not any(t.startswith("sqlite_") and t not in tables for t in now[0])
    for column in [*COLUMNS, "a) VALUES (1); DROP TABLE secrets; --", "id) VALUES (1) --"]:
        with attempts.one(f"INSERT with column {column!r}"):
            made = await ledger.call(mode="insert", table="notes", row={column: "x"})
            assert not made["ok"] and made["kind"] == "DataError", made
            auto = await ledger.call(mode="save", table="scratch", row={column: "x"})
            assert auto["ok"] or auto["kind"] == "DataError", auto
            assert ledger.snapshot()[1:] == (notes, secrets, "ok")
    attempts.verdict(at_least=len(VALUES) + len(TABLE_NAMES) + len(COLUMNS))


async def test_rest_filter_parameter(client: Client, app: web.Application,
                                     ledger: Ledger) -> None:
    before = ledger.snapshot()
    attempts = Attempts(KIND)
    for text in FILTERS:
        for table, who in (("notes", "uma"), ("secrets", "ada")):
            with attempts.one(f"REST {table}?filter={text!r}"):
                reply = await client.get(f"/api/bots/ledger/tables/{table}/rows",
                                         params={"filter": text}, headers=auth(app, who))
                body = await reply.text()
                assert HIDDEN not in body, body[:300]
                assert reply.status == 400 or (await reply.json())["rows"] == [], body[:300]
                assert ledger.snapshot() == before
    for name in TABLE_NAMES:
        with attempts.one(f"REST table {name!r}"):
            reply = await client.get("/api/bots/ledger/tables/"
                                     f"{name.replace('/', '%2F')}/rows",
                                     headers=auth(app, "uma"))
            body = await reply.text()
            assert reply.status < 500 and HIDDEN not in body, body[:300]
            target = table_name(name) if name.strip("\x00") else ""
            if target == "notes":  # the same table by the naming rule (§7.1)
                assert sorted(r["title"] for r in (await reply.json())["rows"]) == TITLES
            elif target == "secrets":  # the same table, and uma may not read it
                assert reply.status == 403, body[:300]
            else:
                assert reply.status != 200 or (await reply.json())["rows"] == [], body[:300]
    attempts.verdict(at_least=2 * len(FILTERS))
