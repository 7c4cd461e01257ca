"""Errors of the LLM layer.

::

    EngineError
    └── LlmError                 any failure of a model or provider
        ├── LlmUnavailable       not configured, not reachable, refused (HTTP status, bad key)
        ├── LlmTimeout           no answer within ``llm-timeout``
        └── LlmBadResponse       an answer that cannot be understood (bad JSON, bad SSE)

Providers translate foreign exceptions (httpx, llama.cpp, JSON decoding) at their boundary
with :func:`translated`; nothing else leaves a provider. Cancellation is never caught.
"""

from __future__ import annotations

import json

from engine.errors import EngineError


class LlmError(EngineError):
    """Root of the LLM layer; the message is safe to show to a user."""


class LlmUnavailable(LlmError):
    """The model cannot be used: not configured, not reachable, or it refused the request
    (``status``: the HTTP status when a server refused)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LlmTimeout(LlmError):
    """The model did not answer in time."""


class LlmBadResponse(LlmError):
    """The model or server answered something that cannot be understood."""


def translated(error: Exception, provider: str) -> LlmError:
    """The LLM error for a foreign exception raised while talking to ``provider``."""
    if isinstance(error, LlmError):
        return error
    import httpx  # local: httpx is only needed by HTTP providers

    if isinstance(error, httpx.TimeoutException | TimeoutError):
        return LlmTimeout(f"{provider} did not answer in time")
    if isinstance(error, httpx.HTTPStatusError):
        return LlmUnavailable(f"{provider} refused the request (HTTP "
                              f"{error.response.status_code})")
    if isinstance(error, httpx.HTTPError | OSError):
        return LlmUnavailable(f"{provider} is not reachable ({type(error).__name__})")
    if isinstance(error, json.JSONDecodeError | UnicodeDecodeError | KeyError | TypeError):
        return LlmBadResponse(f"{provider} sent an answer that cannot be read")
    return LlmBadResponse(f"{provider} failed: {error}")
