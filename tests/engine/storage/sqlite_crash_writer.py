"""Child process of test_sqlite_crash: writes batches until it is killed.

Four tasks and two threads write batches of 50 rows, each batch in one transaction, and
print ``committed BATCH`` once its commit has returned. The parent SIGKILLs this process in
the middle of the burst and checks the file.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

from engine.storage.db.sqlite import SqliteDatabase

ROWS_PER_BATCH = 50
INSERT = "INSERT INTO burst (batch, n, payload) VALUES (?, ?, randomblob(3000))"
_print_lock = threading.Lock()


def report(batch: int) -> None:
    with _print_lock:
        sys.stdout.write(f"committed {batch}\n")
        sys.stdout.flush()


def rows(batch: int) -> list[tuple[int, int]]:
    return [(batch, n) for n in range(ROWS_PER_BATCH)]


async def task_writer(db: SqliteDatabase, worker: int) -> None:
    for step in range(10**9):
        batch = worker * 10**6 + step
        async with db.transaction() as tx:
            await tx.executemany(INSERT, rows(batch))
        report(batch)


def thread_writer(db: SqliteDatabase, worker: int) -> None:
    for step in range(10**9):
        batch = worker * 10**6 + step
        db.sync.executemany(INSERT, rows(batch))
        report(batch)


async def main(path: Path) -> None:
    async with SqliteDatabase(path) as db:
        await db.execute(
            "CREATE TABLE IF NOT EXISTS burst (batch INTEGER, n INTEGER, payload BLOB)"
        )
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        for worker in (10, 11):
            threading.Thread(target=thread_writer, args=(db, worker), daemon=True).start()
        await asyncio.gather(*(task_writer(db, worker) for worker in range(4)))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
