"""SqliteMemoryStore on a real SQLite file (BASIC.md §8)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlean as sqlite3

from engine.basic.errors import BasicValueError, ServiceError
from engine.sessions.memory import SqliteMemoryStore

NOW = datetime(2026, 1, 15, 10, 30, 0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "hearth.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteMemoryStore]:
    with SqliteMemoryStore(db_path, "testbot", "test-user") as memory:
        yield memory


def test_bot_memory_golden_sequence(store: SqliteMemoryStore) -> None:
    """conformance memory/bot_memory."""
    assert store.get_bot("visits") is None
    store.set_bot("visits", 1)
    store.set_bot("visits", store.get_bot("visits") + 1)
    assert store.get_bot("visits") == 2 and type(store.get_bot("visits")) is int
    store.set_bot("cfg", {"mode": "fast", "tags": ["a"]})
    assert store.get_bot("CFG")["tags"][0] == "a"
    store.set_bot("visits", None)
    assert store.get_bot("visits") is None
    store.set_user("nickname", "Annie")
    assert store.get_user("NickName") == "Annie"


@pytest.mark.parametrize(
    "value",
    [
        0,
        2**80,
        1.0,
        -2.5,
        float("inf"),
        True,
        False,
        "",
        "olá ✓",
        [],
        {},
        date(2026, 1, 15),
        datetime(2026, 1, 15, 10, 30),
        {"$weird": [1, {"d": date(2020, 2, 29)}], "n": None},
    ],
)
def test_values_keep_their_types(store: SqliteMemoryStore, value: object) -> None:
    store.set_bot("k", value)
    store.set_user("k", value)
    store.remember("k", value, None)
    for got in (store.get_bot("k"), store.get_user("k"), store.recall("k", NOW)):
        assert got == value and type(got) is type(value)


def test_returned_values_are_fresh_copies(store: SqliteMemoryStore) -> None:
    store.set_bot("list", [1, 2])
    store.get_bot("list").append(3)
    assert store.get_bot("list") == [1, 2]


def test_scopes(db_path: Path, store: SqliteMemoryStore) -> None:
    store.set_bot("b", "bot-wide")
    store.set_user("u", "user-wide")
    store.remember("r", "this bot, this user", None)
    other_user = store.with_user("someone-else")
    with SqliteMemoryStore(db_path, "otherbot", "test-user") as other_bot:
        assert other_user.get_bot("b") == "bot-wide"
        assert other_bot.get_bot("b") is None
        assert other_bot.get_user("u") == "user-wide"
        assert other_user.get_user("u") is None
        assert other_user.recall("r", NOW) is None
        assert other_bot.recall("r", NOW) is None
    assert store.recall("r", NOW) == "this bot, this user"


def test_keys_keep_their_last_spelling_for_display(db_path: Path, store: SqliteMemoryStore) -> None:
    store.set_bot("Visits", 1)
    store.set_bot("VISITS", 2)
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT key, name, value FROM memory_bot").fetchall()
    assert rows == [("visits", "VISITS", "2")]


def test_remember_expiry_against_the_given_clock(store: SqliteMemoryStore) -> None:
    """conformance memory/remember_recall: expiry is checked when RECALL runs."""
    store.remember("otp", "4321", NOW + timedelta(minutes=2))
    store.remember("color", "blue", None)
    assert store.recall("OTP", NOW + timedelta(minutes=1)) == "4321"
    assert store.recall("otp", NOW + timedelta(minutes=2)) is None
    assert store.recall("otp", NOW) is None  # the expired entry is gone
    assert store.recall("color", NOW + timedelta(days=3650)) == "blue"


def test_remember_again_replaces_value_and_expiry(store: SqliteMemoryStore) -> None:
    store.remember("k", "short", NOW + timedelta(seconds=30))
    store.remember("k", "forever", None)
    assert store.recall("k", NOW + timedelta(days=1)) == "forever"
    store.remember("k", None, None)
    assert store.recall("k", NOW) is None


def test_naive_and_aware_times_compare(store: SqliteMemoryStore) -> None:
    aware_now = datetime.now(UTC)
    store.remember("a", 1, aware_now + timedelta(hours=1))
    store.remember("b", 2, datetime.now() - timedelta(hours=1))
    assert store.recall("a", datetime.now()) == 1
    assert store.recall("b", aware_now) is None


def test_purge_expired(store: SqliteMemoryStore) -> None:
    store.remember("old", 1, NOW - timedelta(seconds=1))
    store.remember("new", 2, NOW + timedelta(seconds=1))
    store.remember("ever", 3, None)
    store.with_user("u2").remember("old", 4, NOW - timedelta(days=1))
    assert store.purge_expired(NOW) == 2
    assert store.recall("new", NOW) == 2 and store.recall("ever", NOW) == 3


def test_memories_persist_in_the_file(db_path: Path) -> None:
    with SqliteMemoryStore(db_path, "testbot", "test-user") as first:
        first.set_bot("k", {"n": 1})
        first.remember("r", date(2026, 1, 1), None)
    with SqliteMemoryStore(db_path, "testbot", "test-user") as second:
        assert second.get_bot("k") == {"n": 1}
        assert second.recall("r", NOW) == date(2026, 1, 1)


def test_a_shared_connection_stays_open(db_path: Path) -> None:
    conn = sqlite3.connect(str(db_path), check_same_thread=False)
    store = SqliteMemoryStore(conn, "testbot", "u1")
    store.set_bot("k", 1)
    store.with_user("u2").close()
    store.close()
    assert conn.execute("SELECT count(*) FROM memory_bot").fetchone() == (1,)
    conn.close()


def test_with_user_rebinds_only_the_user(store: SqliteMemoryStore) -> None:
    store.set_user("name", "Test")
    switched = store.with_user("u-42")
    switched.set_user("name", "Answer")
    assert switched.user_id == "u-42" and store.user_id == "test-user"
    assert store.get_user("name") == "Test" and switched.get_user("name") == "Answer"


def test_a_run_without_a_user(db_path: Path) -> None:
    with SqliteMemoryStore(db_path, "testbot", None) as store:
        store.set_bot("k", 1)
        assert store.get_bot("k") == 1
        for operation in (
            lambda: store.get_user("k"),
            lambda: store.set_user("k", 1),
            lambda: store.remember("k", 1, None),
            lambda: store.recall("k", NOW),
        ):
            with pytest.raises(ServiceError):
                operation()


def test_empty_keys_are_refused(store: SqliteMemoryStore) -> None:
    with pytest.raises(BasicValueError):
        store.set_bot("", 1)


def test_worker_threads_share_one_store(store: SqliteMemoryStore) -> None:
    def work(worker: int) -> None:
        mine = store.with_user(f"user-{worker}")
        for n in range(50):
            store.set_bot(f"w{worker}-{n}", n)
            mine.remember("count", n, None)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(store.get_bot(f"w{w}-49") == 49 for w in range(8))
    assert all(store.with_user(f"user-{w}").recall("count", NOW) == 49 for w in range(8))
