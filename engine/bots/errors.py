"""Errors of the bots layer."""

from engine.errors import EngineError


class BotError(EngineError):
    """A bot is missing, misnamed or cannot be installed."""
