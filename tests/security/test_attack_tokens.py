"""Token tampering: every forged, altered, stale or misused credential is refused with 401.

Each attack is sent to an admin route (``GET /api/users``) or ``/api/auth/me`` of the real
app; a control first shows that the untouched credential works, so a refusal means the
tampering was noticed, not that the route was unreachable.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.server.security.principal import Role
from engine.server.security.tokens import StaticSecret, TokenService
from engine.server.state import STATE
from tests.engine.server.serverkit import PASSWORD, error_of, token
from tests.security.attackkit import Attempts

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND = "token tampering"
REFUSED = {"invalid_token", "token_expired", "unauthorized"}
GUESSED = "another secret, of a length PyJWT accepts"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _part(claims: dict[str, Any]) -> str:
    return _b64(json.dumps(claims, separators=(",", ":")).encode())


def _parts(good: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = good.split(".")
    return json.loads(_unb64(header)), json.loads(_unb64(payload)), signature


def _key(app: web.Application) -> str:
    key: str = app[STATE].tokens._key
    return key


async def _refused(client: Client, credential: str, *, route: str = "/api/users",
                   header: str = "Authorization", codes: set[str] = REFUSED) -> None:
    value = f"Bearer {credential}" if header == "Authorization" else credential
    reply = await client.get(route, headers={header: value})
    assert reply.status == 401, f"{reply.status} {await reply.text()}"
    assert error_of(await reply.json())[0] in codes


async def _works(client: Client, credential: str, route: str = "/api/users") -> None:
    reply = await client.get(route, headers={"Authorization": f"Bearer {credential}"})
    assert reply.status == 200, await reply.text()


def _altered_payloads(good: str) -> dict[str, str]:
    """The user's token with its claims changed and the original signature kept."""
    header, claims, signature = _parts(good)
    head = _part(header)
    changes = {"role admin": {"role": "admin"}, "subject ada": {"sub": "ada"},
               "subject ada, role admin": {"sub": "ada", "role": "admin"},
               "longer life": {"exp": claims["exp"] + 86400},
               "type refresh": {"typ": "refresh"}}
    forged = {name: f"{head}.{_part({**claims, **change})}.{signature}"
              for name, change in changes.items()}
    forged["payload padded with a space"] = (
        f"{head}.{_b64(json.dumps(claims).encode() + b' ')}.{signature}")
    return forged


def _altered_signatures(good: str) -> dict[str, str]:
    head, payload, signature = good.split(".")
    middle = len(signature) // 2
    flipped = signature[:middle] + ("A" if signature[middle] != "A" else "B") + \
        signature[middle + 1:]
    raw = _unb64(signature)
    return {"one character flipped": f"{head}.{payload}.{flipped}",
            "signature removed": f"{head}.{payload}.",
            "signature truncated": f"{head}.{payload}.{signature[:20]}",
            "signature of zeros": f"{head}.{payload}.{_b64(bytes(len(raw)))}",
            "signature doubled": f"{head}.{payload}.{signature}{signature}",
            "no signature part": f"{head}.{payload}"}


def _alg_none(good: str) -> dict[str, str]:
    _, claims, signature = _parts(good)
    admin = {**claims, "role": "admin", "sub": "ada"}
    forged = {}
    for alg in ("none", "None", "NONE", "nOnE"):
        head = _part({"alg": alg, "typ": "JWT"})
        forged[f"alg {alg}, no signature"] = f"{head}.{_part(admin)}."
        forged[f"alg {alg}, old signature"] = f"{head}.{_part(admin)}.{signature}"
    forged["no alg at all"] = f"{_part({'typ': 'JWT'})}.{_part(admin)}."
    return forged


def _wrong_keys(app: web.Application) -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": "ada", "role": "admin", "typ": "access", "iat": now, "exp": now + 600,
              "iss": "hearth", "jti": "x"}
    key = _key(app)
    forged = {
        "another secret": TokenService(StaticSecret(GUESSED)).issue(
            "ada", Role.ADMIN).access_token,
        "the secret with one character changed": jwt.encode(
            claims, key[:-1] + ("a" if key[-1] != "a" else "b"), algorithm="HS256"),
        "a guessable secret": jwt.encode(claims, "secret" * 6, algorithm="HS256"),
        "the right secret with HS512": jwt.encode(claims, key, algorithm="HS512"),
        "the right secret with HS384": jwt.encode(claims, key, algorithm="HS384"),
    }
    return forged


def _wrong_claims(app: web.Application) -> dict[str, str]:
    """Correctly signed (the test knows the secret) but not an access token of this server."""
    now = int(time.time())
    base = {"sub": "uma", "role": "user", "typ": "access", "iat": now, "exp": now + 600,
            "iss": "hearth", "jti": "x"}
    variants: dict[str, dict[str, Any]] = {
        "another issuer": {**base, "iss": "elsewhere"},
        "no issuer": {k: v for k, v in base.items() if k != "iss"},
        "no expiry": {k: v for k, v in base.items() if k != "exp"},
        "no subject": {k: v for k, v in base.items() if k != "sub"},
        "no type": {k: v for k, v in base.items() if k != "typ"},
        "type api": {**base, "typ": "api"},
        "type refresh": {**base, "typ": "refresh"},
        "role root": {**base, "role": "root"},
        "role as a number": {**base, "role": 3},
        "expiry as text": {**base, "exp": "never"},
    }
    return {name: jwt.encode(claims, _key(app), algorithm="HS256")
            for name, claims in variants.items()}


async def test_altered_payload_signature_and_alg_none(client: Client,
                                                      app: web.Application) -> None:
    good = token(app, "uma")
    await _works(client, good, "/api/auth/me")
    attempts = Attempts(KIND)
    forged = {**_altered_payloads(good), **_altered_signatures(good), **_alg_none(good)}
    for name, credential in forged.items():
        with attempts.one(name):
            assert credential != good
            await _refused(client, credential)
            await _refused(client, credential, route="/api/auth/me")
    attempts.verdict(at_least=20)


async def test_wrong_key_and_wrong_claims(client: Client, app: web.Application) -> None:
    await _works(client, token(app, "ada"))
    attempts = Attempts(KIND)
    for name, credential in {**_wrong_keys(app), **_wrong_claims(app)}.items():
        with attempts.one(name):
            await _refused(client, credential, route="/api/auth/me")
    attempts.verdict(at_least=15)


async def test_expired_tokens(client: Client, app: web.Application) -> None:
    attempts = Attempts(KIND)
    old = TokenService(StaticSecret(_key(app)), clock=lambda: time.time() - 3600)
    expired = old.issue("ada", Role.ADMIN)
    with attempts.one("access token expired an hour ago"):
        await _refused(client, expired.access_token, codes={"token_expired"})
    just = TokenService(StaticSecret(_key(app)), access_ttl=1, clock=lambda: time.time() - 1)
    with attempts.one("access token expired this second"):
        await _refused(client, just.issue("ada", Role.ADMIN).access_token,
                       codes={"token_expired"})
    _, claims, _ = _parts(expired.access_token)
    revived = jwt.encode({**claims, "exp": int(time.time()) + 600}, GUESSED, algorithm="HS256")
    with attempts.one("expired token re-signed with a guessed key and a new expiry"):
        await _refused(client, revived)
    stale = TokenService(StaticSecret(_key(app)), refresh_ttl=1,
                         clock=lambda: time.time() - 10).issue("uma", Role.USER)
    with attempts.one("expired refresh token"):
        reply = await client.post("/api/auth/refresh",
                                  json={"refresh_token": stale.refresh_token})
        assert reply.status == 401
        assert error_of(await reply.json())[0] == "token_expired"
    attempts.verdict(at_least=4)


async def test_refresh_and_access_tokens_do_not_stand_in_for_each_other(
        client: Client) -> None:
    reply = await client.post("/api/auth/login", json={"username": "ada", "password": PASSWORD})
    pair = await reply.json()
    await _works(client, pair["access_token"])
    attempts = Attempts(KIND)
    with attempts.one("refresh token used as an access token"):
        await _refused(client, pair["refresh_token"])
    with attempts.one("refresh token as an API key"):
        await _refused(client, pair["refresh_token"], header="X-API-Key")
    for route in ("/api/auth/refresh", "/api/auth/logout"):
        with attempts.one(f"access token sent to {route}"):
            reply = await client.post(route, json={"refresh_token": pair["access_token"]})
            assert reply.status == 401, await reply.text()
            assert error_of(await reply.json())[0] == "invalid_token"
    with attempts.one("access token in the query string of a REST route"):
        reply = await client.get(f"/api/users?access_token={pair['access_token']}")
        assert reply.status == 401
    with attempts.one("the refresh token still works afterwards (was not consumed)"):
        reply = await client.post("/api/auth/refresh",
                                  json={"refresh_token": pair["refresh_token"]})
        assert reply.status == 200
    attempts.verdict(at_least=6)


GARBAGE = ["", " ", ".", "..", "...", "a.b.c", "null", "undefined", "Bearer", "[]", "{}",
           "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9..", "eyJ.eyJ.eyJ",
           _b64(b"\xff\xfe\xfd" * 20), "%00%00", "' OR 1=1 --", "../../etc/passwd",
           "hk_", "hk_x_y", "hk_../../_secret", "hk_" + "a" * 200, "a" * 4000,
           ".".join(["eyJ" + "A" * 2000] * 3)]


async def test_garbage_and_oversized_tokens(client: Client) -> None:
    attempts = Attempts(KIND)
    for credential in GARBAGE:
        for header in ("Authorization", "X-API-Key"):
            if not credential.strip() and header == "X-API-Key":
                continue  # an empty key header is no credential at all: 401 unauthorized
            with attempts.one(f"{header}: {credential[:40]!r} ({len(credential)} chars)"):
                await _refused(client, credential, header=header)
    for size in (9_000, 64_000, 1_000_000):
        with attempts.one(f"{size}-byte bearer token"):
            reply = await client.get("/api/users",
                                     headers={"Authorization": "Bearer " + "e" * size})
            assert reply.status in (400, 401, 413, 431), reply.status
    for scheme in ("Basic dWE6eA==", "Token abc", "Bearer", "Bearer  ", "Digest x",
                   "Bearer a b c"):
        with attempts.one(f"Authorization: {scheme!r}"):
            reply = await client.get("/api/users", headers={"Authorization": scheme})
            assert reply.status == 401
    attempts.verdict(at_least=50)


RAW_CREDENTIALS = [b"Authorization: Bearer \xff\xfe\xfd",
                   b"Authorization: Bearer \xc3\xa9t\xc3\xa9",
                   b"Authorization: Bearer \xe2\x80\xae.\xe2\x80\xae.\xe2\x80\xae",
                   b"X-API-Key: hk_\xff_\xfe", b"Authorization: Bearer a\x00b",
                   b"Authorization: Bearer \x1b[31m", b"Authorization: \xff\xfe x"]


async def _raw_status(client: Client, header: bytes) -> tuple[int, bytes]:
    """Send a request with a header no HTTP client library would send; its status."""
    server = client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(b"GET /api/users HTTP/1.1\r\nHost: localhost\r\n" + header +
                 b"\r\nConnection: close\r\n\r\n")
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    status_line = answer.split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), answer


async def test_credentials_that_are_not_text(client: Client) -> None:
    """Invalid UTF-8, control characters and NUL in the credential headers: a 4xx, never a
    500 and never a way in."""
    attempts = Attempts(KIND)
    for header in RAW_CREDENTIALS:
        with attempts.one(f"raw header {header!r}"):
            status, answer = await _raw_status(client, header)
            assert status in (400, 401), answer[:300]
            assert b"Traceback" not in answer
    attempts.verdict(at_least=len(RAW_CREDENTIALS))


async def test_tampered_token_on_the_chat_websocket(client: Client,
                                                    app: web.Application) -> None:
    good = token(app, "uma")
    async with client.ws_connect(f"/ws?bot=echo&access_token={good}") as ws:
        assert (await ws.receive_json(timeout=10))["type"] == "connected"
    attempts = Attempts(KIND)
    forged = {**_altered_payloads(good), **_alg_none(good), **_altered_signatures(good)}
    for name, credential in forged.items():
        with attempts.one(f"WebSocket: {name}"):
            reply = await client.get("/ws", params={"bot": "echo", "access_token": credential},
                                     headers={"Connection": "Upgrade", "Upgrade": "websocket",
                                              "Sec-WebSocket-Version": "13",
                                              "Sec-WebSocket-Key": _b64(b"0123456789abcdef")})
            assert reply.status == 401, reply.status
    attempts.verdict(at_least=15)
