"""Building the aiohttp application around an open :class:`~engine.api.Engine`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiohttp import web

from engine.server.admission import Admission
from engine.server.metrics import ServerMetrics, resident_memory_bytes
from engine.server.middleware import cors_headers, cors_preflight, errors_and_metrics, rate_limit
from engine.server.options import ServerOptions
from engine.server.protocol import HANDLER_ARGS
from engine.server.ratelimit import TokenBucketLimiter
from engine.server.routes import all_routes, channels
from engine.server.routing import Route, register
from engine.server.security.accounts import AccountStore
from engine.server.security.tokens import KeyringSecret, StaticSecret, TokenService
from engine.server.state import STATE, ServerState

if TYPE_CHECKING:
    from engine.api import Engine

ROUTES: web.AppKey[list[Route]] = web.AppKey("hearth_routes", list)


async def build_app(engine: Engine, options: ServerOptions | None = None) -> web.Application:
    """The server's application for ``engine`` (which must be open)."""
    options = options or ServerOptions()
    accounts = AccountStore(engine.db)
    await accounts.install()
    secret = await asyncio.to_thread((options.secret or KeyringSecret()).secret)
    tokens = TokenService(StaticSecret(secret), access_ttl=options.access_ttl,
                          refresh_ttl=options.refresh_ttl)
    app = web.Application(middlewares=[errors_and_metrics, cors_preflight, rate_limit],
                          client_max_size=options.max_upload_bytes,
                          handler_args=HANDLER_ARGS)
    admission = Admission(options.max_turns_in_flight)
    app[STATE] = ServerState(engine, options, accounts, tokens, _metrics(engine, admission),
                             TokenBucketLimiter(options.rate_per_second, options.rate_burst),
                             admission)
    routes = all_routes()
    app[ROUTES] = routes
    register(app, routes)
    channels.install(app)
    app.on_response_prepare.append(cors_headers)
    return app


def _metrics(engine: Engine, admission: Admission) -> ServerMetrics:
    metrics = ServerMetrics()
    metrics.gauges["turns_in_flight"] = lambda: float(admission.in_flight)
    metrics.counters["turns_shed_total"] = lambda: float(admission.shed)
    llm: Any = getattr(engine, "llm_metrics", None)  # engine.llm.metrics.LlmMetrics, if wired

    def llm_counter(name: str) -> float:
        return float(llm.snapshot().get(name, 0)) if llm is not None else 0.0

    metrics.counters["llm_requests_total"] = lambda: llm_counter("llm_requests_total")
    metrics.counters["llm_cache_hits_total"] = lambda: llm_counter("llm_cache_hits_total")
    readers = int(getattr(engine.db, "_readers", 0))
    metrics.gauges["db_pool_size"] = lambda: float(readers + 1)  # readers + the one writer
    metrics.gauges["process_resident_memory_bytes"] = resident_memory_bytes
    return metrics
