"""Portable placeholders: ``?`` or ``:name`` in the SQL we write, ``$1`` where a driver wants it.

SQLite takes both forms as they are. A PostgreSQL backend (asyncpg) takes only ``$n``:
:func:`numbered` rewrites the statement and orders the values to match. String literals,
quoted identifiers, comments, dollar-quoted bodies and ``::`` casts are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from engine.storage.db.protocol import Params, SqlValue
from engine.storage.errors import DatabaseError

_TOKEN = re.compile(
    r"""
      '(?:[^']|'')*'                         # string literal
    | "(?:[^"]|"")*"                         # quoted identifier
    | --[^\n]*                               # line comment
    | /\*.*?\*/                              # block comment
    | \$(?P<tag>[A-Za-z_]*)\$.*?\$(?P=tag)\$ # dollar-quoted body
    | ::                                     # a cast, not a placeholder
    | (?P<positional>\?)
    | :(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.DOTALL | re.VERBOSE,
)


def numbered(sql: str, params: Params = ()) -> tuple[str, list[SqlValue]]:
    """``sql`` with ``$1, $2...`` placeholders, and the values in that order."""
    named = isinstance(params, Mapping)
    order: list[str] = []
    positions = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal positions
        if match["positional"]:
            if named:
                raise DatabaseError("'?' placeholders need a sequence of values, not a mapping")
            positions += 1
            return f"${positions}"
        if match["name"]:
            if not named:
                raise DatabaseError("':name' placeholders need a mapping of values")
            if match["name"] not in order:
                order.append(match["name"])
            return f"${order.index(match['name']) + 1}"
        return match[0]

    rewritten = _TOKEN.sub(replace, sql)
    if isinstance(params, Mapping):
        missing = [name for name in order if name not in params]
        if missing:
            raise DatabaseError(f"no value for the placeholder(s) {', '.join(missing)}")
        return rewritten, [params[name] for name in order]
    if positions != len(params):
        raise DatabaseError(f"the statement has {positions} placeholders, got {len(params)} values")
    return rewritten, list(params)
