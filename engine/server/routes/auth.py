"""Logging in, refreshing tokens, API keys, and (for admins) the local accounts."""

from __future__ import annotations

from aiohttp import web

from engine.server import schemas
from engine.server.bodies import json_response, no_content, read_json
from engine.server.errors import BadRequest, Conflict, NotFound, Unauthorized
from engine.server.routing import Param, Route, principal_of
from engine.server.security.accounts import AccountError
from engine.server.security.principal import Role
from engine.server.state import ServerState, state_of


async def _issue(state: ServerState, username: str, family: str = "") -> dict[str, object]:
    """A token pair for the account as it is now; ``family``: the login it continues."""
    account = await state.accounts.user(username)
    current = await state.accounts.current(username)
    if account is None or current is None:
        raise Unauthorized("the account no longer exists", code="invalid_token")
    pair = state.tokens.issue(username, current.role, current.token_version, family)
    await state.accounts.record_refresh(pair.refresh_jti, username, pair.refresh_expires_at,
                                        pair.family)
    return {**pair.to_json(), "user": account.to_json()}


async def login(request: web.Request) -> web.Response:
    """Trade a username and password for an access token and a refresh token."""
    body = await read_json(request, schemas.LoginRequest)
    state = state_of(request)
    account = await state.accounts.verify_password(body.username, body.password)
    if account is None:
        raise Unauthorized("wrong username or password", code="invalid_credentials")
    return json_response(await _issue(state, account.username))


async def refresh(request: web.Request) -> web.Response:
    """A new token pair for a refresh token; each refresh token works once, and using one a
    second time revokes its whole family (that login's refresh and access tokens; the
    account's other logins keep working)."""
    body = await read_json(request, schemas.RefreshRequest)
    state = state_of(request)
    claims = state.tokens.verify(body.refresh_token, kind="refresh")
    account = await state.accounts.current(claims.subject)
    family = await state.accounts.consume_refresh(claims.jti, claims.subject,
                                                  state.tokens.access_ttl)
    if account is None or family is None or not account.accepts(claims):
        raise Unauthorized("the refresh token was revoked or already used",
                           code="invalid_token")
    return json_response(await _issue(state, claims.subject, family))


async def logout(request: web.Request) -> web.Response:
    """End the login of a refresh token: its family's refresh and access tokens stop
    working (the account's other logins do not)."""
    body = await read_json(request, schemas.RefreshRequest)
    state = state_of(request)
    claims = state.tokens.verify(body.refresh_token, kind="refresh")
    await state.accounts.end_family(claims.jti, claims.subject, state.tokens.access_ttl)
    return no_content()


async def me(request: web.Request) -> web.Response:
    return json_response(principal_of(request).to_json())


async def list_keys(request: web.Request) -> web.Response:
    """Your API keys (an admin sees everyone's with ``all=true``)."""
    principal = principal_of(request)
    everyone = request.query.get("all") == "true" and principal.may(Role.ADMIN)
    keys = await state_of(request).accounts.keys(None if everyone else principal.user_id)
    return json_response({"keys": [k.to_json() for k in keys]})


async def create_key(request: web.Request) -> web.Response:
    """A new API key for scripts; its role is at most yours. The secret is shown once."""
    body = await read_json(request, schemas.ApiKeyCreate)
    principal = principal_of(request)
    role = Role.parse(body.role) if body.role else principal.role
    try:
        key, secret = await state_of(request).accounts.create_key(
            principal.user_id, body.name, min(role, principal.role))
    except AccountError as error:
        raise BadRequest(error.message) from None
    return json_response({"key": key.to_json(), "api_key": secret}, status=201)


async def revoke_key(request: web.Request) -> web.Response:
    principal = principal_of(request)
    owner = None if principal.may(Role.ADMIN) else principal.user_id
    if not await state_of(request).accounts.revoke_key(request.match_info["key_id"], owner):
        raise NotFound(f"no API key '{request.match_info['key_id']}'")
    return no_content()


async def list_users(request: web.Request) -> web.Response:
    users = await state_of(request).accounts.users()
    return json_response({"users": [u.to_json() for u in users]})


async def create_user(request: web.Request) -> web.Response:
    body = await read_json(request, schemas.UserCreate)
    accounts = state_of(request).accounts
    if await accounts.user(body.username) is not None:
        raise Conflict(f"a user named '{body.username}' already exists")
    try:
        account = await accounts.add_user(body.username, body.password, Role.parse(body.role))
    except AccountError as error:
        raise BadRequest(error.message, code="validation") from None
    return json_response(account.to_json(), status=201)


async def set_role(request: web.Request) -> web.Response:
    """Change an account's role; its tokens and API keys carry the new role from its next
    request on."""
    body = await read_json(request, schemas.UserUpdate)
    username = request.match_info["username"]
    if username == principal_of(request).user_id:
        raise BadRequest("you cannot change your own role")
    account = await state_of(request).accounts.set_role(username, Role.parse(body.role))
    if account is None:
        raise NotFound(f"no user named '{username}'")
    return json_response(account.to_json())


async def remove_user(request: web.Request) -> web.Response:
    username = request.match_info["username"]
    if username == principal_of(request).user_id:
        raise BadRequest("you cannot remove your own account")
    if not await state_of(request).accounts.remove_user(username):
        raise NotFound(f"no user named '{username}'")
    return no_content()


_ALL = (Param("all", "admins: list every user's keys", "boolean"),)
ROUTES = [
    Route("POST", "/api/auth/login", login, "public", "Log in", "auth",
          body=schemas.LoginRequest, responses={200: schemas.TokenResponse}),
    Route("POST", "/api/auth/refresh", refresh, "public", "Refresh the tokens", "auth",
          body=schemas.RefreshRequest, responses={200: schemas.TokenResponse}),
    Route("POST", "/api/auth/logout", logout, "public", "Revoke a refresh token", "auth",
          body=schemas.RefreshRequest, responses={204: None}),
    Route("GET", "/api/auth/me", me, "user", "Who am I", "auth",
          responses={200: schemas.Me}),
    Route("GET", "/api/auth/keys", list_keys, "user", "List API keys", "auth",
          responses={200: schemas.ApiKeyList}, query=_ALL),
    Route("POST", "/api/auth/keys", create_key, "user", "Create an API key", "auth",
          body=schemas.ApiKeyCreate, responses={201: schemas.ApiKeyCreated}),
    Route("DELETE", "/api/auth/keys/{key_id}", revoke_key, "user", "Revoke an API key",
          "auth", responses={204: None}),
    Route("GET", "/api/users", list_users, "admin", "List accounts", "users",
          responses={200: schemas.UserList}),
    Route("POST", "/api/users", create_user, "admin", "Create an account", "users",
          body=schemas.UserCreate, responses={201: schemas.Account}),
    Route("PUT", "/api/users/{username}", set_role, "admin", "Change an account's role",
          "users", body=schemas.UserUpdate, responses={200: schemas.Account}),
    Route("DELETE", "/api/users/{username}", remove_user, "admin", "Remove an account",
          "users", responses={204: None}),
]
