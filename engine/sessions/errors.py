"""Errors of the sessions layer."""

from engine.errors import EngineError


class SessionError(EngineError):
    """A session is missing or a message cannot be handled."""


class UnknownSession(SessionError):
    """No session has the id asked for."""
