"""The channel adapter protocol: inbound payload → user messages, bot answer → platform calls.

An adapter is plain data in, plain data out: it never opens sockets. The service feeds it
the raw request (headers, query, body bytes) and hands the :class:`OutboundCall` values it
renders to the sender, so each adapter is testable without a network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.events import CitationDTO, SuggestionDTO


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform can show: the sender and the formatter obey these."""

    max_length: int
    buttons: bool
    max_buttons: int = 0
    max_button_label: int = 64


@dataclass(frozen=True, slots=True)
class OutboundCall:
    """One HTTP call to the platform: ``path`` is relative to the adapter's API base."""

    method: str
    path: str
    json: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message a person sent through a platform, ready to become a ``UserMessage``.

    ``user_id`` is the platform's id of the sender (a chat id, a phone number): one session
    per (bot, channel, user_id). ``message_id`` is the platform's id of the message, used to
    ignore replays. ``button`` is the value of a pressed button (its text is ``text``).
    """

    user_id: str
    message_id: str
    text: str
    user_name: str | None = None
    button: str | None = None
    location: tuple[float, float] | None = None
    contact: Mapping[str, Any] | None = None
    media: Mapping[str, Any] | None = None
    receipts: tuple[OutboundCall, ...] = ()
    """Calls that tell the platform the message arrived (Telegram's answerCallbackQuery
    stops a pressed button's spinner), made before the turn runs."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot said in one turn, to be rendered for one user."""

    messages: tuple[str, ...]
    suggestions: tuple[SuggestionDTO, ...] = ()
    citations: tuple[CitationDTO, ...] = ()


@dataclass(frozen=True, slots=True)
class RawRequest:
    """An inbound HTTP request as the adapter sees it (header names lower-case)."""

    method: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Verdict:
    """An adapter's answer to a request that is not a message (a handshake): status, text."""

    status: int
    text: str = ""


class ChannelAdapter(Protocol):
    """One platform for one bot (built by a factory from the bot's config)."""

    name: str
    capabilities: Capabilities
    api_base: str
    auth_headers: Mapping[str, str]

    def handshake(self, request: RawRequest) -> Verdict | None:
        """The answer to a verification request (None: not one)."""

    def verify(self, request: RawRequest) -> None:
        """Raise :class:`~engine.channels.errors.BadSignature` unless the platform sent it."""

    def parse(self, body: bytes) -> list[Inbound]:
        """The messages of a verified webhook body (status updates and the like: none)."""

    def render(self, user_id: str, reply: Reply) -> list[OutboundCall]:
        """The platform calls that show ``reply`` to ``user_id``, in order."""
