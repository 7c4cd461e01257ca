"""JWT access and refresh tokens (HS256), signed with a secret kept in the OS keyring.

The secret is generated on first start and stored under the keyring service ``hearth``
(name ``server-jwt-secret``); tests point ``keyring`` at a file backend under HEARTH_HOME.
Access tokens are short-lived; each carries the account's ``token_version`` (``ver``), which
the server compares with the account's current state on every request, so removing an
account or revoking its tokens takes effect at once. Refresh tokens are recorded and each one
can be used once (rotation), so a stolen refresh token is detected by use. Every token of one
login (its refresh tokens and the access tokens issued from them) carries the login's family
(``fam``, the first refresh token's jti); revoking the family voids them all and nothing else.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import jwt

from engine.server.errors import Unauthorized
from engine.server.security.principal import Role

KEYRING_SERVICE = "hearth"
SECRET_NAME = "server-jwt-secret"
ALGORITHM = "HS256"
ISSUER = "hearth"
VERIFIED_CACHE = 4096


class SecretSource(Protocol):
    def secret(self) -> str: ...


class KeyringSecret:
    """The signing secret from the OS keyring, created there on first use."""

    def __init__(self, service: str = KEYRING_SERVICE, name: str = SECRET_NAME) -> None:
        self.service = service
        self.name = name

    def secret(self) -> str:
        import keyring
        from keyring.errors import KeyringError

        try:
            value = keyring.get_password(self.service, self.name)
            if not value:
                value = secrets.token_urlsafe(48)
                keyring.set_password(self.service, self.name, value)
        except KeyringError as error:
            raise RuntimeError(
                "the OS keyring is not available to keep the server's signing secret; "
                f"install a keyring backend (e.g. keyrings.alt) ({error})") from error
        return value


class StaticSecret:
    """A fixed secret (tests, benchmarks)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def secret(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_jti: str
    refresh_expires_at: int
    family: str = ""  # the login every token of the pair belongs to

    def to_json(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "token_type": "Bearer", "expires_in": self.expires_in}


@dataclass(frozen=True, slots=True)
class Claims:
    subject: str
    role: Role
    kind: str  # access | refresh
    jti: str
    version: int = 0  # the account's token_version when the token was issued
    issued_at: int = 0
    family: str = ""  # the login the token belongs to ('' for tokens issued without one)


class TokenService:
    def __init__(self, source: SecretSource, *, access_ttl: int = 900,
                 refresh_ttl: int = 30 * 86400, clock: Callable[[], float] = time.time) -> None:
        self._key = source.secret()
        self._verified: dict[tuple[str, str], tuple[Claims, int]] = {}
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.clock = clock

    def issue(self, subject: str, role: Role, version: int = 0,
              family: str = "") -> TokenPair:
        """A new access and refresh token pair for the account at ``version``; ``family``:
        the login it continues (a new login starts a family named by its refresh jti)."""
        now = int(self.clock())
        jti = uuid.uuid4().hex
        family = family or jti
        access = self._encode(subject, role, "access", now, now + self.access_ttl,
                              uuid.uuid4().hex, version, family)
        refresh_exp = now + self.refresh_ttl
        refresh = self._encode(subject, role, "refresh", now, refresh_exp, jti, version, family)
        return TokenPair(access, refresh, self.access_ttl, jti, refresh_exp, family)

    def _encode(self, subject: str, role: Role, kind: str, now: int, exp: int,
                jti: str, version: int, family: str) -> str:
        claims = {"sub": subject, "role": role.label, "typ": kind, "iat": now, "exp": exp,
                  "iss": ISSUER, "jti": jti, "ver": version, "fam": family}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify(self, token: str, kind: str = "access") -> Claims:
        """The token's claims; :class:`Unauthorized` when it is invalid or expired.

        Verified tokens are remembered (bounded), so a client sending the same token on every
        request pays for the signature check once; expiry is still checked every time.
        """
        remembered = self._verified.get((token, kind))
        if remembered is not None:
            if remembered[1] <= int(self.clock()):
                raise Unauthorized("the token has expired", code="token_expired")
            return remembered[0]
        claims, expires = self._verify(token, kind)
        if len(self._verified) >= VERIFIED_CACHE:
            self._verified.clear()
        self._verified[(token, kind)] = (claims, expires)
        return claims

    def _verify(self, token: str, kind: str) -> tuple[Claims, int]:
        if not token.isascii() or not token.isprintable():  # a JWT is base64url and dots
            raise Unauthorized("invalid token", code="invalid_token")
        try:
            # Expiry is checked below against the service's clock (tests move it).
            data = jwt.decode(token, self._key, algorithms=[ALGORITHM], issuer=ISSUER,
                              options={"require": ["exp", "sub", "typ", "iat"],
                                       "verify_exp": False})
            expires, issued = int(data["exp"]), int(data["iat"])
            version = int(data.get("ver", 0))
            family = str(data.get("fam", ""))
            role = Role.parse(str(data.get("role", "")))
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
            raise Unauthorized("invalid token", code="invalid_token") from None
        if expires <= int(self.clock()):
            raise Unauthorized("the token has expired", code="token_expired")
        if data.get("typ") != kind:
            raise Unauthorized(f"not an {kind} token", code="invalid_token")
        claims = Claims(str(data["sub"]), role, kind, str(data.get("jti", "")), version, issued,
                        family)
        return claims, expires
