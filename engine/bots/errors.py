"""Errors of the bots layer."""

from engine.errors import EngineError


class BotError(EngineError):
    """A bot is missing, misnamed or cannot be installed."""


class UnknownBot(BotError):
    """No installed bot has the name asked for (or the name is not a bot name at all)."""


class ConfigError(BotError):
    """A bot's ``config.csv`` cannot be read at all (its values are never errors: a bad value
    is a warning and the default is used)."""
