"""The lifecycle every storage backend shares: made cheaply, opened, used, closed once.

A backend's constructor does no I/O. ``await backend.open()`` (or ``async with backend:``)
acquires its resources: threads, connections, folders. ``await backend.close()`` releases
them; it is idempotent, and a closed backend is never reopened (make a new one).
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from engine.storage.errors import StorageClosedError


class Resource(Protocol):
    """What every backend protocol extends."""

    async def open(self) -> None:
        """Acquire the backend's resources; a second call does nothing."""
        ...

    async def close(self) -> None:
        """Release them; idempotent. Later calls raise :class:`StorageClosedError`."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class Lifecycle:
    """Implements :class:`Resource` around two hooks, ``_open`` and ``_close``."""

    _state = "new"

    async def _open(self) -> None:
        """Acquire the resources (called once)."""

    async def _close(self) -> None:
        """Release them (called once, only after a successful ``_open``)."""

    @property
    def _describe(self) -> str:
        return type(self).__name__

    async def open(self) -> None:
        if self._state == "open":
            return
        if self._state == "closed":
            raise StorageClosedError(f"{self._describe} is closed")
        await self._open()
        self._state = "open"

    async def close(self) -> None:
        if self._state == "open":
            self._state = "closed"
            await self._close()
        self._state = "closed"

    def _check_open(self) -> None:
        if self._state != "open":
            verb = "is closed" if self._state == "closed" else "is not open yet"
            raise StorageClosedError(f"{self._describe} {verb}")

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
