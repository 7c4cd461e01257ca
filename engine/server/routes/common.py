"""Look-ups every route group needs: a bot by name, a session the caller may see."""

from __future__ import annotations

from aiohttp import web

from engine.bots.errors import UnknownBot
from engine.bots.registry import CompiledBot
from engine.server.errors import NotFound
from engine.server.routing import principal_of
from engine.server.security.principal import Principal, Role
from engine.server.state import ServerState, state_of
from engine.sessions.state import SessionState


def compiled_bot(state: ServerState, name: str) -> CompiledBot:
    """The installed bot ``name`` (looked up by name, never as a path), else 404."""
    try:
        return state.engine.bots.bot(name)
    except UnknownBot:
        raise NotFound(f"no bot named {name[:80]!r}") from None


def bot_of(request: web.Request) -> CompiledBot:
    return compiled_bot(state_of(request), request.match_info["bot"])


async def visible_session(request: web.Request, session_id: str) -> SessionState:
    """The session, if the caller owns it (admins see every session); else 404."""
    session = await state_of(request).engine.sessions.store.load_session(session_id)
    if session is None or not may_see(principal_of(request), session):
        raise NotFound(f"no session '{session_id}'")
    return session


def may_see(principal: Principal, session: SessionState) -> bool:
    return session.user_id == principal.user_id or (
        principal.may(Role.ADMIN) and not principal.anonymous)


def session_roles(principal: Principal) -> list[str] | None:
    roles = principal.table_roles()
    return None if roles is None else sorted(roles)
