"""What can be tuned on the LAN server, with safe defaults for a small LAN."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from engine.server.security.tokens import SecretSource

WEBCHAT_DIR = Path(__file__).resolve().parents[2] / "resources" / "webchat"


class Jsonable(Protocol):
    def to_json(self) -> dict[str, object]: ...


class Knowledge(Protocol):
    """What the KB routes need of a bot's knowledge base (engine.kb ``KnowledgeBase``)."""

    def collections(self) -> list[str]: ...

    async def search(self, collections: Sequence[str], query: str,
                     k: int | None = None) -> Sequence[Jsonable]: ...

    async def ingest(self, collection_path: Path) -> Jsonable: ...


KnowledgeProvider = Callable[[str], Awaitable["Knowledge | None"]]


async def engine_knowledge(engine: Any, bot: str) -> Knowledge | None:
    """The engine's knowledge base of ``bot`` when the engine offers one (``knowledge(bot)``)."""
    method = getattr(engine, "knowledge", None)
    if not callable(method):
        return None
    found = method(bot)
    if inspect.isawaitable(found):
        found = await found
    return found  # type: ignore[no-any-return]


async def engine_can_index(engine: Any) -> bool:
    """Whether the engine has its embedding model (without it nothing can be indexed)."""
    config, kb = getattr(engine, "config", None), getattr(engine, "kb", None)
    embedder = getattr(kb, "embedder", None)
    if getattr(config, "models_dir", None) is None or not callable(embedder):
        return False
    return await asyncio.to_thread(embedder) is not None  # loads the model the first time


@dataclass(frozen=True, slots=True)
class ServerOptions:
    cors_origins: tuple[str, ...] = ()
    """Origins allowed to call the API from a browser page served elsewhere."""
    rate_per_second: float = 50.0
    rate_burst: int = 200
    """Per client IP: requests (and WebSocket messages) a second, and the burst allowed."""
    max_json_bytes: int = 1024 * 1024
    max_upload_bytes: int = 32 * 1024 * 1024
    access_ttl: int = 900
    refresh_ttl: int = 30 * 86400
    turn_timeout: float = 120.0
    """How long a REST or OpenAI call waits for the bot's answer."""
    max_turns_in_flight: int = 64
    """Turns (messages, sessions opened, webhook and tool runs) running at once; more are
    refused with 503 and Retry-After instead of queueing without bound."""
    secret: SecretSource | None = None
    """Where the JWT signing secret comes from (default: the OS keyring)."""
    knowledge: KnowledgeProvider | None = None
    webchat_dir: Path = WEBCHAT_DIR
    access_log: bool = False
