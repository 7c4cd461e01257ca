"""Running channel messages through the engine: one session per (bot, channel, user), turns
in order per session, replies rendered by the adapter and sent with retries.

A webhook is acknowledged at once (:meth:`ChannelService.accept` only queues the message);
the turn runs in the background. A turn that fails is logged and tried again (bounded); a
message id already seen is ignored (platforms resend, attackers replay).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.channels.errors import ChannelError, ChannelNotConfigured
from engine.channels.protocol import ChannelAdapter, Inbound, OutboundCall, Reply
from engine.channels.registry import channel_factory
from engine.channels.sender import Sender
from engine.events import BotResponse, CitationDTO, MessageType, SuggestionDTO, TurnFinished
from engine.llm.config import KEYRING_PREFIX, KeyringSecrets, SecretStore

if TYPE_CHECKING:
    from engine.api import Engine

log = logging.getLogger("hearth.channels")
_SEEN_LIMIT = 10_000


def session_id_for(bot: str, channel: str, user_id: str) -> str:
    """The one session of a platform user with a bot (stable: the same id every time)."""
    digest = hashlib.sha256(f"{bot}\x00{channel}\x00{user_id}".encode()).hexdigest()
    return f"{channel[:2]}-{digest[:30]}"


def resolved_config(config: Mapping[str, str], secrets: SecretStore) -> dict[str, str]:
    """The bot's config with every ``keyring:NAME`` value of a channel key read from the
    keyring; a secret missing from the keyring leaves the key empty (not configured)."""
    resolved = dict(config)
    for key, value in config.items():
        text = str(value).strip()
        if text.lower().startswith(KEYRING_PREFIX):
            resolved[key] = secrets.get(text[len(KEYRING_PREFIX):].strip()) or ""
    return resolved


class ChannelService:
    """The engine side of every channel of every bot."""

    def __init__(self, engine: Engine, sender: Sender | None = None, *,
                 secrets: SecretStore | None = None, turn_timeout: float = 60.0,
                 turn_attempts: int = 3, retry_delay: float = 0.5) -> None:
        self.engine = engine
        self.sender = sender or Sender()
        self.secrets = secrets or KeyringSecrets()
        self.turn_timeout, self.turn_attempts = turn_timeout, turn_attempts
        self.retry_delay = retry_delay
        self.failures = 0  # messages given up on after every attempt (logged)
        self._seen: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._adapters: dict[tuple[str, str], tuple[object, ChannelAdapter]] = {}

    def adapter(self, bot: str, channel: str) -> ChannelAdapter:
        """``channel``'s adapter for the installed bot ``bot``; :class:`ChannelNotConfigured`
        when the bot has not set the channel up. Built once per compiled config (a reload of
        the bot builds it again, reading the keyring again)."""
        factory = channel_factory(channel)
        config = self.engine.bots.bot(bot).config
        cached = self._adapters.get((bot, channel))
        if cached is not None and cached[0] is config:  # same compiled config: same keys
            return cached[1]
        channel_keys = {k: v for k, v in config.items() if str(k).startswith(channel + "-")}
        if not channel_keys:
            raise ChannelNotConfigured(f"the bot has not configured {channel}")
        adapter = factory(resolved_config(channel_keys, self.secrets))
        self._adapters[(bot, channel)] = (config, adapter)
        return adapter

    def accept(self, bot: str, adapter: ChannelAdapter, messages: list[Inbound]) -> int:
        """Queue ``messages`` (replays left out); the number queued."""
        queued = 0
        for message in messages:
            key = (bot, adapter.name, message.message_id)
            if key in self._seen:
                log.info("%s: message %s of bot %s seen before: ignored", adapter.name,
                         message.message_id[:40], bot)
                continue
            self._seen[key] = None
            if len(self._seen) > _SEEN_LIMIT:
                self._seen.popitem(last=False)
            task = asyncio.ensure_future(self.handle(bot, adapter, message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            queued += 1
        return queued

    async def drain(self) -> None:
        """Wait for every queued message to be answered (or given up on)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.turn_timeout):
                await self.drain()
        for task in list(self._tasks):
            task.cancel()
        await self.sender.aclose()

    async def handle(self, bot: str, adapter: ChannelAdapter, message: Inbound) -> None:
        """Run the turn of ``message`` and send the reply, trying again when it fails."""
        session_id = session_id_for(bot, adapter.name, message.user_id)
        for receipt in message.receipts:
            await self._call(adapter, receipt)
        lock = self._locks.setdefault(session_id, asyncio.Lock())
        self._waiting[session_id] = self._waiting.get(session_id, 0) + 1
        try:
            async with lock:
                await self._handle(bot, adapter, session_id, message)
        finally:
            self._waiting[session_id] -= 1
            if not self._waiting[session_id]:  # nobody else queued: forget the lock
                del self._waiting[session_id], self._locks[session_id]

    async def _handle(self, bot: str, adapter: ChannelAdapter, session_id: str,
                      message: Inbound) -> None:
        """The turn, tried again when it fails (bounded), then the reply's delivery."""
        for attempt in range(self.turn_attempts):
            try:
                reply = await self._turn(bot, adapter.name, session_id, message)
                break
            except TimeoutError:
                self.engine.cancel(session_id)  # the next attempt must not race this one
                problem = f"no answer within {self.turn_timeout:g} s"
            except ChannelError as error:
                problem = error.message
            except Exception as error:  # a bug in a turn must not lose the message
                log.exception("%s: turn of bot %s failed", adapter.name, bot)
                problem = type(error).__name__
            log.warning("%s: turn of bot %s failed (attempt %d): %s", adapter.name, bot,
                        attempt + 1, problem)
            if attempt + 1 < self.turn_attempts:
                await asyncio.sleep(self.retry_delay * 2 ** attempt)
        else:
            self.failures += 1
            log.error("%s: message %s of bot %s given up on", adapter.name,
                      message.message_id[:40], bot)
            return
        await self.deliver(adapter, message.user_id, reply)

    async def deliver(self, adapter: ChannelAdapter, user_id: str, reply: Reply) -> None:
        """Send ``reply``'s calls in order; after one the platform keeps refusing, the rest
        are not sent (a reply with a hole would mislead) and the failure is counted."""
        for call in adapter.render(user_id, reply):
            if not await self._call(adapter, call):
                self.failures += 1
                return

    async def _call(self, adapter: ChannelAdapter, call: OutboundCall) -> bool:
        try:
            await self.sender.call(adapter.api_base, adapter.auth_headers, call)
        except ChannelError as error:
            log.error("%s: %s not delivered: %s", adapter.name, call.path.split("/")[-1],
                      error.message)
            return False
        return True

    async def _turn(self, bot: str, channel: str, session_id: str, message: Inbound) -> Reply:
        engine = self.engine
        collected: list[BotResponse] = []
        async with engine.subscribe(session_id) as events:
            async with asyncio.timeout(self.turn_timeout):
                fresh = await engine.sessions.store.load_session(session_id) is None
                waiting = _collect(events, collected, 2 if fresh and not _opens(message) else 1)
                consumer = asyncio.ensure_future(waiting)
                try:
                    if fresh:
                        await engine.open_session(bot, user_id=f"{channel}:{message.user_id}",
                                                  user_name=message.user_name, channel=channel,
                                                  session_id=session_id)
                    if not (fresh and _opens(message)):
                        await engine.send(session_id, message.text, MessageType.USER,
                                          attachments=_attachments(message))
                    await consumer
                finally:
                    consumer.cancel()
        return _reply(collected)


async def _collect(events: Any, into: list[BotResponse], turns: int) -> None:
    async for event in events:
        if isinstance(event, BotResponse) and event.is_complete:
            into.append(event)
        if isinstance(event, TurnFinished):
            turns -= 1
            if turns == 0:
                return


def _opens(message: Inbound) -> bool:
    """A platform's "start" command only opens the session (start.bas greets)."""
    return message.text.strip().split("@")[0] == "/start"


def _attachments(message: Inbound) -> tuple[dict[str, Any], ...]:
    found: list[dict[str, Any]] = []
    if message.location is not None:
        found.append({"kind": "location", "latitude": message.location[0],
                      "longitude": message.location[1]})
    if message.contact is not None:
        found.append({"kind": "contact", **dict(message.contact)})
    if message.media is not None:
        found.append(dict(message.media))
    return tuple(found)


def _reply(responses: list[BotResponse]) -> Reply:
    suggestions: tuple[SuggestionDTO, ...] = ()
    citations: list[CitationDTO] = []
    for response in responses:
        suggestions = response.suggestions or suggestions
        citations.extend(response.citations)
    return Reply(tuple(r.content for r in responses if r.content), suggestions,
                 tuple(citations))

