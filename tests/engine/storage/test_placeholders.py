"""The ``?`` / ``:name`` to ``$n`` rewrite a PostgreSQL backend will use."""

from __future__ import annotations

import pytest

from engine.storage.db.placeholders import numbered
from engine.storage.errors import DatabaseError


def test_positional() -> None:
    assert numbered("SELECT * FROM t WHERE a = ? AND b > ?", (1, "x")) == (
        "SELECT * FROM t WHERE a = $1 AND b > $2",
        [1, "x"],
    )


def test_named_reuse_keeps_one_number() -> None:
    sql, values = numbered(
        "UPDATE t SET a = :a, b = :b WHERE a <> :a", {"b": 2, "a": 1, "unused": 3}
    )
    assert sql == "UPDATE t SET a = $1, b = $2 WHERE a <> $1"
    assert values == [1, 2]


def test_literals_comments_and_casts_are_left_alone() -> None:
    sql = (
        "SELECT '?', 'it''s :x', \"col?\", x::text, $$ body ? :y $$ -- why? :z\n"
        "FROM t /* ? :w */ WHERE a = ?"
    )
    rewritten, values = numbered(sql, (5,))
    assert rewritten == sql[: sql.rindex("?")] + "$1"
    assert values == [5]


def test_mismatches() -> None:
    with pytest.raises(DatabaseError, match="2 placeholders"):
        numbered("SELECT ?, ?", (1,))
    with pytest.raises(DatabaseError, match="no value"):
        numbered("SELECT :a", {"b": 1})
    with pytest.raises(DatabaseError, match="mapping"):
        numbered("SELECT :a", (1,))
    with pytest.raises(DatabaseError, match="sequence"):
        numbered("SELECT ?", {"a": 1})
