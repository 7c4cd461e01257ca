"""Requests aiohttp refuses before any handler runs still get the one JSON error shape.

A request line or a header that is too long, a malformed request, too many headers: aiohttp's
protocol handler answers those itself, in plain text, before the application (and its error
middleware) sees the request. :class:`HearthRunner` serves the application with a protocol
handler whose :meth:`~JsonErrorHandler.handle_error` answers in the one shape instead, with
the precise status (414 for a long URL, 431 for long or too many headers).

The URL limit and the header limit differ on purpose: a ``LineTooLong`` only says which
limit it hit, and that tells a long request line from a long header.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, HttpProcessingError, LineTooLong
from aiohttp.web_protocol import RequestHandler

from engine.server.errors import error_response

log = logging.getLogger("hearth.server")
MAX_URL_BYTES = 8190
"""The longest request line (method, URL, version) the server reads."""
MAX_HEADER_BYTES = 16384
"""The longest header (name and value) the server reads; a bearer token must fit in it."""
MAX_HEADERS = 100
HANDLER_ARGS: dict[str, Any] = {"max_line_size": MAX_URL_BYTES,
                                "max_field_size": MAX_HEADER_BYTES,
                                "max_headers": MAX_HEADERS}
"""The protocol handler's limits (``web.Application(handler_args=...)``)."""


def parse_error_response(status: int, error: BaseException | None) -> web.Response:
    """The JSON error for a request the protocol handler could not read or serve."""
    if isinstance(error, LineTooLong):
        if error.args[1:2] == (MAX_URL_BYTES,):
            return error_response(414, "uri_too_long",
                                  f"the request line is longer than {MAX_URL_BYTES} bytes")
        return error_response(431, "header_too_large",
                              f"a header is longer than {MAX_HEADER_BYTES} bytes")
    if isinstance(error, BadHttpMessage) and "too many headers" in str(error).lower():
        return error_response(431, "header_too_large",
                              f"the request has more than {MAX_HEADERS} headers")
    if isinstance(error, HttpProcessingError) or 400 <= status < 500:
        return error_response(status if 400 <= status < 500 else 400, "bad_request",
                              "malformed request")
    if status == 504:
        return error_response(504, "timeout", "the request took too long")
    return error_response(500, "internal", "internal server error")


class JsonErrorHandler(RequestHandler):
    """aiohttp's protocol handler, answering its own errors in the one JSON shape."""

    def handle_error(self, request: Any, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        if status >= 500:
            log.error("error handling a request from %s", request.remote, exc_info=exc)
        else:  # a client's malformed request: worth a debug line, not a traceback
            log.debug("refused a malformed request from %s: %s", request.remote, exc)
        if request.writer.output_size > 0:  # the response had started: nothing to add
            raise ConnectionError("the response was already started")
        response = parse_error_response(status, exc)
        response.force_close()
        return response


class JsonErrorServer(web.Server):
    def __call__(self) -> RequestHandler:
        return JsonErrorHandler(self, loop=self._loop, **self._kwargs)


class HearthRunner(web.AppRunner):
    """``web.AppRunner`` whose connections use :class:`JsonErrorHandler`."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = JsonErrorServer  # same state; only the handler class differs
        return server
