"""The shared :class:`~engine.storage.bus.protocol.EventBus`: Redis pub/sub across processes.

``redis://host:port/db?prefix=P`` (see :mod:`engine.storage.redis_connection`); topic ``t``
is the channel ``P + "bus:" + t``, so every ``hearth serve`` on that URL sees every event.
The protocol is pub/sub with drop-oldest buffers, not a log, and Redis pub/sub is exactly
that (streams would add a durability nobody reads: durable hand-offs live in the database).
One PUBLISH per event; one subscriber connection per bus fans messages out to the local
subscriptions of their topic. As on the local bus, entering ``subscribe()`` returns once
Redis confirmed the channel, and a local read after ``publish()`` returned sees that event
(the bus counts its own events per subscribed topic; a read first waits for those sent
before it, which come back with the PUBLISH reply), while the publisher never waits. A lost
server: publishing raises :class:`StorageUnavailableError`; the subscriber connection
reconnects and resubscribes; events sent meanwhile are gone. See ``docs/storage.md``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import redis.exceptions

from engine.storage.bus.local import encode
from engine.storage.bus.protocol import DEFAULT_MAXSIZE
from engine.storage.bus.redis_subscription import ECHO_TIMEOUT, RedisSubscription
from engine.storage.errors import StorageClosedError, StorageError, StorageUnavailableError
from engine.storage.lifecycle import Lifecycle
from engine.storage.redis_connection import RedisAddress, translated

if TYPE_CHECKING:
    from engine.storage.urls import StorageUrl

RECONNECT_PAUSE = 0.2


class RedisEventBus(Lifecycle):
    """Publishes with a pooled client; one pub/sub connection feeds local subscriptions.
    Wire format ``ORIGIN JSON`` (this bus's random id): a bus knows its own events."""

    def __init__(self, address: RedisAddress) -> None:
        self.address = address
        self._channel_prefix = address.prefix + "bus:"
        self._origin = uuid.uuid4().hex
        self._client: Any = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._topics: dict[str, set[RedisSubscription]] = {}
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._published: dict[str, int] = {}  # own events sent on a subscribed topic...
        self._returned: dict[str, int] = {}  # ...and how many of them came back

    @classmethod
    def from_url(cls, url: StorageUrl) -> RedisEventBus:
        return cls(RedisAddress.from_url(url))

    @property
    def _describe(self) -> str:
        return f"{self.address.describe} event bus"

    async def _open(self) -> None:
        client = self.address.client()
        pubsub: Any = client.pubsub()
        try:
            with translated(self.address.describe):
                await client.ping()
                await pubsub.connect()
        except BaseException:
            await pubsub.aclose()
            await client.aclose()
            raise
        self._client, self._pubsub = client, pubsub
        self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")

    async def _close(self) -> None:
        for subscriptions in list(self._topics.values()):
            for subscription in list(subscriptions):
                subscription.end()
        self._topics.clear()
        for waiter in self._confirmed.values():  # a subscription still being entered fails
            if not waiter.done():
                waiter.set_exception(StorageClosedError(f"{self._describe} is closed"))
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        await self._pubsub.aclose()
        await self._client.aclose()

    # --- EventBus -----------------------------------------------------------------------------

    async def publish(self, topic: str, event: Mapping[str, Any]) -> None:
        self._check_open()
        _check_topic(topic)
        message = f"{self._origin} {encode(event)}"
        confirmed = self._confirmed.get(self._channel(topic))
        counted = confirmed is not None and confirmed.done()  # local subscribers will see it
        if counted:
            self._published[topic] = self._published.get(topic, 0) + 1
        try:
            with translated(self.address.describe):
                await self._client.publish(self._channel(topic), message)
        except BaseException:
            if counted:
                self._published[topic] -= 1
            raise

    def subscribe(self, topic: str, *, maxsize: int = DEFAULT_MAXSIZE) -> RedisSubscription:
        _check_topic(topic)
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        return RedisSubscription(self, topic, maxsize)

    # --- subscriptions ------------------------------------------------------------------------

    async def _add(self, subscription: RedisSubscription) -> None:
        self._check_open()
        topic = subscription.topic
        subscriptions = self._topics.setdefault(topic, set())
        subscriptions.add(subscription)
        channel = self._channel(topic)
        confirmed = self._confirmed.get(channel)
        if confirmed is None:  # the first local subscriber of this topic subscribes the bus
            confirmed = asyncio.get_running_loop().create_future()
            self._confirmed[channel] = confirmed
            try:
                with translated(self.address.describe):
                    await self._pubsub.subscribe(channel)
            except BaseException:
                self._confirmed.pop(channel, None)
                await self._remove(subscription)
                raise
        try:
            await self._wait(asyncio.shield(confirmed), "the subscription to be confirmed")
        except BaseException:
            await self._remove(subscription)
            raise

    async def _remove(self, subscription: RedisSubscription) -> None:
        subscriptions = self._topics.get(subscription.topic)
        if subscriptions is None or subscription not in subscriptions:
            return
        subscriptions.discard(subscription)
        if subscriptions or self._state != "open":
            return
        del self._topics[subscription.topic]
        self._published.pop(subscription.topic, None)
        self._returned.pop(subscription.topic, None)
        channel = self._channel(subscription.topic)
        self._confirmed.pop(channel, None)
        try:
            with translated(self.address.describe):
                await self._pubsub.unsubscribe(channel)
        except StorageUnavailableError:
            pass  # the connection is gone and with it the subscription

    # --- the reader ---------------------------------------------------------------------------

    async def _read(self) -> None:
        """Receive until cancelled; on a lost connection, pause and go on (redis-py
        reconnects and resubscribes every channel)."""
        while True:
            try:
                message = await self._pubsub.get_message(timeout=None)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
                await asyncio.sleep(RECONNECT_PAUSE)
                continue
            if message is not None:
                self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = _text(message.get("channel"))
        if message["type"] == "subscribe":
            confirmed = self._confirmed.get(channel)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
            return
        if message["type"] != "message":
            return
        origin, _, payload = _text(message["data"]).partition(" ")
        if not payload.startswith("{"):
            return  # not sent by a bus of this kind (someone's PUBLISH by hand): ignored
        topic = channel.removeprefix(self._channel_prefix)
        if origin == self._origin and topic in self._published:
            self._returned[topic] = self._returned.get(topic, 0) + 1
        for subscription in self._topics.get(topic, ()):
            subscription.deliver(payload)

    # --- helpers ------------------------------------------------------------------------------

    def _channel(self, topic: str) -> str:
        return self._channel_prefix + topic

    async def _wait(self, waiter: asyncio.Future[None], what: str) -> None:
        try:
            async with asyncio.timeout(ECHO_TIMEOUT):
                await waiter
        except TimeoutError:
            message = f"{self.address.describe} is unavailable: no answer waiting for {what}"
            raise StorageUnavailableError(message) from None

    def _behind(self, topic: str) -> int:
        """How many of this bus's events on ``topic`` have not come back yet."""
        return self._published.get(topic, 0) - self._returned.get(topic, 0)

    def _give_up_on(self, topic: str) -> None:
        """Events that did not come back in time were lost with a connection: stop waiting."""
        if topic in self._published:
            self._returned[topic] = self._published[topic]


def _check_topic(topic: str) -> None:
    if not isinstance(topic, str) or not topic:
        raise StorageError("a topic is a non-empty string")


def _text(value: object) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
