"""The end of a transaction block, as every database backend reports it."""

from __future__ import annotations

import pytest

from engine.storage.db.transaction_end import FAILED_COMMIT, block_end
from engine.storage.errors import DatabaseError


def test_a_clean_block_that_commits_raises_nothing() -> None:
    ended = []
    with block_end(None, failed_before=False):
        ended.append("commit")
    assert ended == ["commit"]


def test_a_clean_block_after_a_failed_statement_reports_the_rollback() -> None:
    with pytest.raises(DatabaseError) as caught, block_end(None, failed_before=True):
        pass
    assert str(caught.value) == FAILED_COMMIT


def test_a_failed_commit_raises_its_own_error() -> None:
    with pytest.raises(OSError, match="disk"), block_end(None, failed_before=False):
        raise OSError("disk gone")


def test_a_failed_rollback_gives_way_to_the_block_s_exception() -> None:
    with block_end(KeyError, failed_before=True):
        raise OSError("connection lost during rollback")  # swallowed: the KeyError propagates


def test_a_base_exception_during_the_end_is_never_swallowed() -> None:
    with pytest.raises(KeyboardInterrupt), block_end(KeyError, failed_before=False):
        raise KeyboardInterrupt
