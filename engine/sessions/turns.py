"""Turns as units of work: one commit for the session, and the bot's tables follow it.

A turn's session state, messages and dialog commit in one transaction of the engine
database (:class:`~engine.sessions.store.TurnBuffer`). Its bot-table writes go to the bot's
own ``tables.db`` as they happen, journalled as the unit ``turn:<session>:<n>`` where ``n`` is
the session's turn counter after the turn (``engine/data/journal.py``). The counter is part
of the committed state, so after the commit the journal is settled; if the commit fails the
writes are undone at once; if the process dies in between, the next process decides from the
stored counter (:meth:`TurnLedger.recover`). A turn therefore happened entirely or not at all,
and a retried message writes its rows once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from engine.bots.registry import BotRegistry
from engine.data.journal import writes_of
from engine.sessions.state import SessionState
from engine.sessions.store import SessionStore
from engine.storage.errors import DiskFull, StorageError

log = logging.getLogger(__name__)

Flush = Callable[[str], Awaitable[None]]


class TurnLedger:
    """Runs turns of one session manager and settles their bot-table writes."""

    def __init__(self, bots: BotRegistry, store: SessionStore, flush: Flush) -> None:
        self.bots = bots
        self.store = store
        self.flush = flush
        self._recovered: set[str] = set()
        self._undo_later: dict[str, set[str]] = {}  # bot -> units whose undo failed
        self._recovering = asyncio.Lock()

    @asynccontextmanager
    async def turn(self, state: SessionState) -> AsyncIterator[None]:
        """The block is one turn; leaving it commits the turn (even after an exception).

        A failed commit raises its ``StorageError`` (``DiskFull`` saying the message was not
        saved) after undoing the turn's table writes; the session store has then dropped its
        cached state, so the session reads back as before the turn.
        """
        unit = f"turn:{state.id}:{state.turns + 1}"
        tables = await self._tables(state.bot_name)
        try:
            with writes_of(unit):
                yield
        finally:
            await self._commit(state, unit, tables)

    async def recover(self) -> None:
        """At start: settle or undo the bot-table writes of turns a dead process left behind,
        for every bot, before anything reads those tables."""
        for bot in self.bots.names():
            try:
                await self._tables(bot)
            except StorageError as failure:  # the disk is full: the bot's next turn retries
                log.error("bot %s: unfinished turns not undone yet: %s", bot, failure)

    async def _commit(self, state: SessionState, unit: str, tables: Any) -> None:
        state.turns += 1
        await self.store.save_session(state)
        wrote = tables is not None and tables.wrote(unit)
        try:
            await self.flush(state.id)
        except StorageError as failure:
            log.error("session %s: the turn was not saved: %s", state.id, failure)
            if wrote and await finish_unit(tables, unit, committed=False) is not None:
                # Undoing needs a little space too: retried before the bot's next turn.
                self._undo_later.setdefault(state.bot_name, set()).add(unit)
            if isinstance(failure, DiskFull):
                raise DiskFull("your message and the answer were not saved") from failure
            raise
        if wrote:
            await finish_unit(tables, unit, committed=True)

    async def _tables(self, bot: str) -> Any:
        """The bot's table store, its unfinished turns settled first (once per process)."""
        try:
            tables = getattr(self.bots.services(bot), "tables", None)
        except Exception:  # a broken bot fails its turn later, with its own message
            return None
        if tables is None or not hasattr(tables, "unfinished"):
            return tables
        if bot in self._recovered and not self._undo_later.get(bot):
            return tables
        async with self._recovering:
            if bot not in self._recovered:
                await self._recover(bot, tables)
                self._recovered.add(bot)
            await self._undo_failed_turns(bot, tables)
        return tables

    async def _undo_failed_turns(self, bot: str, tables: Any) -> None:
        """Undo what turns that failed to commit wrote, before another turn sees their rows.

        While that is impossible (the disk is still full), no turn of the bot runs.
        """
        units = self._undo_later.get(bot, set())
        for unit in sorted(units):
            failure = await finish_unit(tables, unit, committed=False)
            if failure is not None:
                raise DiskFull("an earlier turn could not be undone yet") from failure
            units.discard(unit)

    async def _recover(self, bot: str, tables: Any) -> None:
        """Turns of dead processes: final if their session committed them, else undone."""
        for unit in await asyncio.to_thread(tables.unfinished, "turn:"):
            session_id, _, number = unit.removeprefix("turn:").rpartition(":")
            stored = await self.store.load_session(session_id)
            committed = stored is not None and stored.turns >= int(number)
            failed = await finish_unit(tables, unit, committed=committed, force=True)
            if failed is not None and not committed:
                self._undo_later.setdefault(bot, set()).add(unit)
            log.warning("bot tables: %s %s after a crash", unit,
                        "kept" if committed else "undone")


async def finish_unit(tables: Any, unit: str, *, committed: bool,
                      force: bool = False) -> Exception | None:
    """Settle or undo a unit's table writes; a failure is logged and returned."""
    try:
        if committed and not force:
            tables.settle(unit)  # in memory only: no need for a thread
        elif committed:
            await asyncio.to_thread(tables.settle, unit, force)
        else:
            await asyncio.to_thread(tables.undo, unit)
    except Exception as failure:
        log.error("bot tables: could not %s %s: %s", "settle" if committed else "undo", unit,
                  failure)
        return failure
    return None
