"""Health, the OpenAPI document and Prometheus metrics."""

from __future__ import annotations

import time
from importlib import metadata

from aiohttp import web

from engine.server import metrics, schemas
from engine.server.bodies import json_response
from engine.server.routing import Route
from engine.server.state import state_of

STARTED = time.monotonic()


def _version() -> str:
    try:
        return metadata.version("hearth")
    except metadata.PackageNotFoundError:
        return "0.0.0"


VERSION = _version()


async def health(request: web.Request) -> web.Response:
    """Liveness: the server answers and the engine is open."""
    engine = state_of(request).engine
    return json_response({"status": "ok", "version": VERSION,
                          "uptime_seconds": round(time.monotonic() - STARTED, 3),
                          "bots": len(engine.bots.names())})


async def openapi_document(request: web.Request) -> web.Response:
    from engine.server.openapi import document

    return json_response(document(request.app))


async def prometheus(request: web.Request) -> web.Response:
    text = state_of(request).metrics.render()
    return web.Response(text=text, headers={"Content-Type": metrics.CONTENT_TYPE})


ROUTES = [
    Route("GET", "/api/health", health, "public", "Health check", "system",
          responses={200: schemas.Health}),
    Route("GET", "/api/openapi.json", openapi_document, "public",
          "This OpenAPI 3.1 document", "system", responses={200: "any"}),
    Route("GET", "/metrics", prometheus, "admin", "Prometheus metrics (text format 0.0.4)",
          "system", responses={200: "text"}),
]
