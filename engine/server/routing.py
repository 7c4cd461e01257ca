"""Routes as data: one table drives registration, access control and the OpenAPI document.

Each :class:`Route` names who may call it (``access``) and what it takes and returns, so a
route cannot be added without being documented, and its check cannot be forgotten.

Access levels: ``public`` (no credentials), ``user`` / ``designer`` / ``admin`` (a token or an
API key with at least that role), ``chat`` (a user, or an anonymous visitor when the bot's
config has ``webchat-anonymous,true``), ``webhook`` (a user, or anyone when the bot's config
has ``webhook-anonymous,true``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web
from pydantic import BaseModel

from engine.bots.errors import UnknownBot
from engine.server.errors import Forbidden, NotFound, Unauthorized
from engine.server.security.accounts import KEY_PREFIX
from engine.server.security.principal import Principal, Role
from engine.server.state import ServerState, state_of

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Access = Literal["public", "user", "designer", "admin", "chat", "webhook"]
Body = type[BaseModel] | Literal["binary", "multipart", "text", "sse", "html", "any"] | None
PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("hearth_principal", Principal)
_ROLES: dict[str, Role] = {"user": Role.USER, "designer": Role.DESIGNER, "admin": Role.ADMIN}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    description: str
    type: Literal["string", "integer", "boolean"] = "string"
    required: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Handler
    access: Access
    summary: str
    tag: str
    body: Body = None
    responses: Mapping[int, Body | tuple[Body, ...]] = field(default_factory=dict)
    query: tuple[Param, ...] = ()
    description: str = ""
    errors: tuple[int, ...] = ()
    """Error statuses this route answers besides those every route of its kind may (the
    OpenAPI document lists both), e.g. :data:`TURN`."""


TURN = (503,)
"""The errors of a route that runs a turn: 503 ``busy`` when the server is at its limit."""


def register(app: web.Application, routes: list[Route]) -> None:
    for route in routes:
        app.router.add_route(route.method, route.path, _guarded(route), name=None)


def _guarded(route: Route) -> Handler:
    handler, access = route.handler, route.access

    async def guarded(request: web.Request) -> web.StreamResponse:
        if access != "public":
            request[PRINCIPAL] = await _admit(request, access)
        return await handler(request)

    guarded.__name__ = getattr(handler, "__name__", "handler")
    guarded.__doc__ = handler.__doc__
    return guarded


async def _admit(request: web.Request, access: Access) -> Principal:
    state = state_of(request)
    found = await authenticate(request, state, allow_query=access == "chat")
    if access in _ROLES:
        if found is None:
            raise Unauthorized()
        if not found.may(_ROLES[access]):
            raise Forbidden(f"this needs the {access} role")
        return found
    if found is not None:
        return found
    bot = request.match_info.get("bot") or request.query.get("bot", "")
    key = "webchat-anonymous" if access == "chat" else "webhook-anonymous"
    if bot and _bot_allows(state, bot, key):
        return Principal(f"anonymous:{uuid.uuid4().hex[:16]}", Role.USER, "anonymous")
    raise Unauthorized()


def _bot_allows(state: ServerState, bot: str, key: str) -> bool:
    """Whether the installed bot ``bot`` lets anonymous callers in; 404 for no such bot."""
    try:
        value = state.engine.bots.bot(bot).config.get(key, "false")
    except UnknownBot:
        raise NotFound(f"no bot named {bot[:80]!r}") from None
    except Exception:  # a bot that cannot be compiled lets nobody in anonymously
        return False
    return str(value).strip().lower() in ("true", "yes", "1", "on")


async def authenticate(request: web.Request, state: ServerState, *,
                       allow_query: bool = False) -> Principal | None:
    """The caller from ``Authorization: Bearer``, ``X-API-Key`` or (WebSocket) ``access_token``.

    No credentials → None; bad credentials → :class:`Unauthorized`.
    """
    token = _presented(request, allow_query)
    if token is None:
        return None
    if not token.isascii() or not token.isprintable():  # bytes no credential is made of
        raise Unauthorized("invalid credentials", code="invalid_token")
    if token.startswith(KEY_PREFIX):
        key = await state.accounts.check_key(token)
        if key is None:
            raise Unauthorized("invalid API key", code="invalid_token")
        return Principal(key.username, await _current_role(state, key.username, key.role),
                         "api_key")
    claims = state.tokens.verify(token)
    account = await state.accounts.current(claims.subject)
    if account is None or not account.accepts(claims):
        raise Unauthorized("the token was revoked", code="invalid_token")
    return Principal(claims.subject, min(claims.role, account.role), "token")


async def _current_role(state: ServerState, username: str, role: Role) -> Role:
    """``role``, capped by the account's role now; 401 when the account is gone."""
    account = await state.accounts.current(username)
    if account is None:
        raise Unauthorized("the account no longer exists", code="invalid_token")
    return min(role, account.role)


def _presented(request: web.Request, allow_query: bool) -> str | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'", code="invalid_token")
        return value.strip()
    key = request.headers.get("X-API-Key")
    if key:
        return key.strip()
    if allow_query and request.query.get("access_token"):
        return request.query["access_token"]
    return None


def principal_of(request: web.Request) -> Principal:
    return request[PRINCIPAL]
