"""The channels' errors: one tree under :class:`ChannelError` (messages are safe to show)."""

from __future__ import annotations

from engine.errors import EngineError


class ChannelError(EngineError):
    """Anything a channel refuses or cannot do."""


class UnknownChannel(ChannelError):
    """No adapter is registered under that name."""


class ChannelNotConfigured(ChannelError):
    """The bot has not configured this channel (its keys are missing)."""


class BadSignature(ChannelError):
    """An inbound call without the platform's proof of origin (secret token, signature)."""


class MissingSignature(BadSignature):
    """An inbound call with no proof of origin at all."""


class BadPayload(ChannelError):
    """An inbound body that is not the platform's shape."""


class DeliveryFailed(ChannelError):
    """An outbound call the platform kept refusing, after the bounded retries."""
