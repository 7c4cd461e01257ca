"""The server's routes, grouped by concept; :func:`all_routes` is the one list of them."""

from __future__ import annotations

from engine.server.routes import (
    auth,
    bots,
    channels,
    chat,
    drive,
    kb,
    openai,
    sessions,
    system,
    tables,
    tools,
    webchat,
    webhooks,
)
from engine.server.routing import Route

# Webhooks last: their /api/{bot}/... pattern must not shadow the fixed /api/... routes.
_MODULES = (system, auth, bots, sessions, tools, tables, drive, kb, openai, chat, webchat,
            channels, webhooks)


def all_routes() -> list[Route]:
    return [route for module in _MODULES for route in module.ROUTES]
