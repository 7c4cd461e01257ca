"""The request pipeline, outermost first: metrics and errors, CORS preflight, rate limit.

Every response that leaves the server passes the first one, so every error has the one JSON
shape and every request is counted under its route pattern.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from engine.server.errors import ApiError, Busy, Forbidden, RateLimited, translate
from engine.server.state import state_of

log = logging.getLogger("hearth.server")
_CORS_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
_CORS_HEADERS = "Authorization, Content-Type, X-API-Key, X-Session-Id"
_EXPOSED = "X-Session-Id, Retry-After"


def _route_label(request: web.Request) -> str:
    info = request.match_info
    if info.http_exception is not None or info.route.resource is None:
        return "unmatched"
    return info.route.resource.canonical


@web.middleware
async def errors_and_metrics(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as error:
        if error.status < 400:  # redirects are answers, not errors
            status = error.status
            raise
        reply = translate(error)
        status = reply.status
        return reply
    except Exception as error:
        reply = translate(error)
        status = reply.status
        if status == 500 and not isinstance(error, ApiError):
            log.exception("unhandled error on %s %s", request.method, request.path)
        elif status >= 500 and not isinstance(error, Busy):  # shedding is not news
            log.warning("%s %s: %s", request.method, request.path, reply.text)
        return reply
    finally:
        elapsed = time.perf_counter() - started
        state_of(request).metrics.observe(request.method, _route_label(request), status, elapsed)
        if state_of(request).options.access_log:
            log.info("%s %s %s %.1fms", request.method, request.path, status, elapsed * 1000)


@web.middleware
async def cors_preflight(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer CORS preflights for allow-listed origins; refuse the others."""
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return await handler(request)
    origin = request.headers.get("Origin")
    if origin is None or origin not in state_of(request).options.cors_origins:
        raise Forbidden(f"origin '{origin}' is not allowed")
    return web.Response(status=204, headers={
        "Access-Control-Allow-Origin": origin, "Vary": "Origin",
        "Access-Control-Allow-Methods": _CORS_METHODS,
        "Access-Control-Allow-Headers": _CORS_HEADERS, "Access-Control-Max-Age": "600"})


async def cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: every response (errors and streams too) to an allowed origin."""
    origin = request.headers.get("Origin")
    if origin is not None and origin in state_of(request).options.cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = _EXPOSED
        response.headers["Vary"] = "Origin"


@web.middleware
async def rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    wait = state_of(request).limiter.take(request.remote or "?")
    if wait:
        raise RateLimited(wait)
    return await handler(request)
