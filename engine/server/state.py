"""Everything the handlers share, kept under one typed application key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from engine.server.admission import Admission
from engine.server.metrics import ServerMetrics
from engine.server.options import Knowledge, ServerOptions, engine_can_index, engine_knowledge
from engine.server.ratelimit import TokenBucketLimiter
from engine.server.security.accounts import AccountStore
from engine.server.security.tokens import TokenService

if TYPE_CHECKING:
    from engine.api import Engine


@dataclass
class ServerState:
    engine: Engine
    options: ServerOptions
    accounts: AccountStore
    tokens: TokenService
    metrics: ServerMetrics
    limiter: TokenBucketLimiter
    admission: Admission

    async def knowledge(self, bot: str) -> Knowledge | None:
        if self.options.knowledge is not None:
            return await self.options.knowledge(bot)
        return await engine_knowledge(self.engine, bot)

    async def can_index(self) -> bool:
        """Whether uploaded documents can be indexed (a provider, or the engine's model)."""
        return self.options.knowledge is not None or await engine_can_index(self.engine)


STATE: web.AppKey[ServerState] = web.AppKey("hearth_state", ServerState)


def state_of(request: web.Request) -> ServerState:
    return request.app[STATE]
