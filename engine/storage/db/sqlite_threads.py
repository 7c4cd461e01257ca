"""Threads that own SQLite connections and run jobs on them, in order.

A :class:`ConnectionThreads` is N threads, each owning one connection made in that thread,
all serving one queue. The writer is one of these with N = 1 (Datasette's write thread): its
jobs run strictly one after another, so writes never contend inside the process. Readers are
another with a small N.

A job is a function of the connection; its result goes to a ``concurrent.futures.Future``
that async callers await through ``asyncio.wrap_future`` and sync callers block on. A job
whose future was cancelled before it started is skipped.

A transaction is one writer job (:func:`serve_transaction`) that executes ``BEGIN
IMMEDIATE`` and then runs the steps its owner sends through an inbox until an :class:`End`
arrives, so nothing else reaches the writer in between.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from engine.storage.db import sqlite_connection as sql
from engine.storage.db.sqlite_connection import Connection
from engine.storage.errors import StorageClosedError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Job(Generic[T]):
    """A function to run on a thread's connection, and where its outcome goes."""

    run: Callable[[Connection], T]
    future: Future[T] = field(default_factory=Future)

    def __call__(self, conn: Connection) -> None:
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            result = self.run(conn)
        except BaseException as exc:
            self.future.set_exception(exc)
        else:
            self.future.set_result(result)


@dataclass(frozen=True, slots=True)
class End:
    """The last message of a transaction: commit or roll back."""

    commit: bool
    future: Future[None] = field(default_factory=Future)


Inbox = queue.SimpleQueue[Job[Any] | End]


class ConnectionThreads:
    """``size`` threads, each with its own connection from ``connect``, serving one queue."""

    def __init__(
        self,
        name: str,
        size: int,
        connect: Callable[[], Connection],
        disconnect: Callable[[Connection], None],
    ) -> None:
        self._name = name
        self._size = size
        self._connect = connect
        self._disconnect = disconnect
        self._queue: queue.SimpleQueue[Job[Any] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self.idents: frozenset[int] = frozenset()

    def start(self) -> None:
        """Start the threads; return when each has connected (or raise why one could not)."""
        started = [Future[None]() for _ in range(self._size)]
        for number, ready in enumerate(started):
            thread = threading.Thread(
                target=self._serve, args=(ready,), name=f"{self._name}-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        try:
            for ready in started:
                ready.result()
        except BaseException:
            self.shutdown()
            raise
        self.idents = frozenset(t.ident for t in self._threads if t.ident is not None)

    def submit(self, run: Callable[[Connection], T]) -> Future[T]:
        """Queue ``run``; its result (or exception) arrives in the returned future."""
        job = Job(run)
        with self._lock:
            if self._closed:
                raise StorageClosedError(f"the database's {self._name} threads are stopped")
            self._queue.put(job)
        return job.future

    def shutdown(self) -> None:
        """Finish the jobs already queued, then close the connections and join the threads."""
        with self._lock:
            if not self._closed:
                self._closed = True
                for _ in self._threads:
                    self._queue.put(None)
        for thread in self._threads:
            if thread.ident != threading.get_ident():
                thread.join()

    def _serve(self, ready: Future[None]) -> None:
        try:
            conn = self._connect()
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        try:
            while (job := self._queue.get()) is not None:
                job(conn)
        finally:
            self._disconnect(conn)


def serve_transaction(conn: Connection, inbox: Inbox, begun: Future[None]) -> None:
    """A writer job: BEGIN IMMEDIATE, run the inbox's jobs until its End, commit or roll back."""
    if not begun.set_running_or_notify_cancel():
        return  # the owner gave up before the transaction started
    try:
        sql.begin(conn)
    except BaseException as exc:
        begun.set_exception(exc)
        return
    begun.set_result(None)
    while not isinstance(message := inbox.get(), End):
        message(conn)
    waited_for = message.future.set_running_or_notify_cancel()
    try:
        sql.end(conn, message.commit)  # even if the owner stopped waiting: never leave it open
    except BaseException as exc:
        if waited_for:
            message.future.set_exception(exc)
    else:
        if waited_for:
            message.future.set_result(None)
