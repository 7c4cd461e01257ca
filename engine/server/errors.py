"""The server's errors and its one JSON error shape (STYLE.md §4).

Every error a client sees, whatever raised it, is::

    {"error": {"code": "not_found", "message": "no bot named 'x'", "details": {...}}}

``details`` is present only when there is something to add. The tree::

    ApiError (EngineError)               status  code
    ├── BadRequest                       400     bad_request | invalid_json | validation
    ├── Unauthorized                     401     unauthorized | token_expired | invalid_token
    ├── Forbidden                        403     forbidden
    ├── NotFound                         404     not_found
    ├── MethodNotAllowed                 405     method_not_allowed
    ├── Conflict                         409     conflict
    ├── PayloadTooLarge                  413     payload_too_large
    ├── RateLimited                      429     rate_limited (Retry-After header)
    ├── Unavailable                      503     unavailable
    │   └── Busy                         503     busy (Retry-After header)
    └── InsufficientStorage              507     disk_full

Foreign exceptions are mapped at the boundary by :func:`translate` (middleware), by type:
aiohttp's HTTP exceptions keep their status; engine errors become 404 (a missing bot, session
or drive file: ``DriveFileNotFound``), 403 (a BASIC permission error: table roles, the drive
jail), 507 (the disk is full: ``DiskFull`` or an ``OSError`` ENOSPC/EDQUOT), 503 (no embedding
model for a knowledge base; a storage server such as Redis or S3 out of reach) or 400 (any
other ``EngineError``, whose message is safe to show); anything else is a 500 ``internal``
whose message never reveals internals.
"""

from __future__ import annotations

import errno
import json
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from engine.errors import EngineError

JSON = "application/json"


class ApiError(EngineError):
    status = 500
    code = "internal"

    def __init__(self, message: str, *, code: str | None = None,
                 details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)

    def response(self) -> web.Response:
        return error_response(self.status, self.code, self.message, self.details, self.headers)


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str = "authentication required", **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="hearth"'})
        super().__init__(message, **kwargs)


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class MethodNotAllowed(ApiError):
    status, code = 405, "method_not_allowed"


class Conflict(ApiError):
    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class RateLimited(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, int(retry_after + 0.999))
        super().__init__("too many requests, slow down", details={"retry_after": seconds},
                         headers={"Retry-After": str(seconds)})


class Unavailable(ApiError):
    status, code = 503, "unavailable"


class Busy(Unavailable):
    """The server is at its limit of turns in flight: shed, to be retried shortly."""

    code = "busy"

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__("the server is busy, retry shortly",
                         details={"retry_after": retry_after},
                         headers={"Retry-After": str(retry_after)})


class InsufficientStorage(ApiError):
    status, code = 507, "disk_full"


EMBEDDING_HINT = ("the knowledge base needs the embedding model: run "
                  "`hearth models pull all-minilm-l6-v2` and try again")
STORAGE_DOWN = "a storage server is unavailable: try again shortly"
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def error_body(code: str, message: str, details: dict[str, Any] | None = None
               ) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def error_response(status: int, code: str, message: str,
                   details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=json.dumps(error_body(code, message, details)),
                        content_type=JSON, headers=headers)


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 429: "rate_limited"}


def translate(error: BaseException) -> web.Response:
    """The JSON error response for any exception that reached the boundary."""
    if isinstance(error, ApiError):
        return error.response()
    if isinstance(error, web.HTTPException):
        return _http_exception(error)
    if isinstance(error, HttpProcessingError):  # a malformed request found while reading it
        status = error.code if 400 <= error.code < 500 else 400
        return error_response(status, _HTTP_CODES.get(status, "bad_request"),
                              "malformed request")
    from engine.basic.errors import BasicPermissionError
    from engine.bots.errors import UnknownBot
    from engine.kb.errors import EmbedderError
    from engine.office.errors import DriveFileNotFound
    from engine.sessions.errors import UnknownSession
    from engine.storage.errors import DiskFull, StorageUnavailableError

    if _disk_full(error, DiskFull):
        return InsufficientStorage("disk full: free some space and try again").response()
    if isinstance(error, StorageUnavailableError):  # its message names an internal server
        return Unavailable(STORAGE_DOWN).response()
    if isinstance(error, EmbedderError):
        return Unavailable(EMBEDDING_HINT).response()
    if isinstance(error, UnknownBot | UnknownSession | DriveFileNotFound):
        return error_response(404, "not_found", error.message)
    if isinstance(error, BasicPermissionError):
        return error_response(403, "forbidden", error.message)
    if isinstance(error, EngineError):
        return error_response(400, "bad_request", error.message)
    return error_response(500, "internal", "internal server error")


def _disk_full(error: BaseException, disk_full: type[Exception]) -> bool:
    """Whether ``error`` is, or was caused by, a full disk (a layer may wrap the OSError)."""
    seen: BaseException | None = error
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, disk_full) or (isinstance(seen, OSError)
                                           and seen.errno in _DISK_FULL):
            return True
        seen = seen.__cause__
    return False


def _http_exception(error: web.HTTPException) -> web.Response:
    status = error.status
    code = _HTTP_CODES.get(status, "internal" if status >= 500 else "bad_request")
    message = {404: "no such route", 413: "request body too large"}.get(
        status, error.reason.lower())
    headers = {k: v for k, v in error.headers.items() if k in ("Allow", "Retry-After")}
    return error_response(status, code, message, headers=headers)
