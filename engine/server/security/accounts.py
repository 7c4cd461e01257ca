"""Local accounts and API keys, stored in the engine database.

Every request is checked against the account's current state (:meth:`AccountStore.current`):
a removed account's tokens stop working at once, a demoted account loses its rights at once,
and raising the account's ``token_version`` voids every token issued before. A revoked login
family (a reused refresh token, a logout) voids that login's tokens only: the account's other
logins (another browser) keep working. The state is
cached per process and the cache entry is dropped on every change made through the store;
changes made by another process (the ``hearth users`` command) are seen within
``STATE_TTL`` seconds.

Passwords are argon2id hashes (argon2-cffi), computed on a worker thread: hashing takes tens
of milliseconds by design and must not stall the event loop. API keys are 256-bit random
secrets shown once (``hk_<id>_<secret>``); only their SHA-256 is stored, which is enough for
a secret with that much entropy and keeps checking one key a microsecond job.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from engine.errors import EngineError
from engine.server.security.principal import Role
from engine.server.security.tokens import Claims
from engine.storage.db.protocol import Database

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 8
KEY_PREFIX = "hk_"
STATE_TTL = 1.0
STATE_CACHE = 4096

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS server_users (
        username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
        created_at TEXT NOT NULL, token_version INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS server_api_keys (
        id TEXT PRIMARY KEY, username TEXT NOT NULL, name TEXT NOT NULL,
        secret_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS server_api_keys_user ON server_api_keys (username)",
    # Kept until the last access token of the family has expired (expires_at, epoch seconds).
    """CREATE TABLE IF NOT EXISTS server_revoked_families (
        family TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at INTEGER NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS server_revoked_families_user
        ON server_revoked_families (username)""",
    """CREATE TABLE IF NOT EXISTS server_refresh_tokens (
        jti TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0, family TEXT NOT NULL DEFAULT '')""",
]
# Columns added after the first release: (table, column, definition) for older databases.
ADDED_COLUMNS = [
    ("server_users", "token_version", "INTEGER NOT NULL DEFAULT 0"),
    ("server_refresh_tokens", "family", "TEXT NOT NULL DEFAULT ''"),
]


class AccountError(EngineError):
    """An account operation that cannot be done (message safe to show)."""


@dataclass(frozen=True, slots=True)
class Account:
    username: str
    role: Role
    created_at: str

    def to_json(self) -> dict[str, str]:
        return {"username": self.username, "role": self.role.label,
                "created_at": self.created_at}


@dataclass(frozen=True, slots=True)
class AccountState:
    """What a request is checked against: the account's role now, the version every token
    must carry, when the account was created (older tokens belong to a removed account of
    the same name), and the account's revoked login families."""

    role: Role
    token_version: int
    created: int  # seconds since the epoch
    revoked_families: frozenset[str] = frozenset()

    def accepts(self, claims: Claims) -> bool:
        """Whether a token still speaks for this account: issued at its current version,
        not before the account was created (to a removed account of the same name), and not
        by a login whose family was revoked."""
        return (claims.version == self.token_version and claims.issued_at >= self.created
                and claims.family not in self.revoked_families)


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    username: str
    name: str
    role: Role
    created_at: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "username": self.username, "name": self.name,
                "role": self.role.label, "created_at": self.created_at}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class AccountStore:
    """Users, API keys and refresh-token records on a :class:`Database` (``?`` SQL)."""

    def __init__(self, db: Database, hasher: PasswordHasher | None = None) -> None:
        self.db = db
        self.hasher = hasher or PasswordHasher()
        # Checking an unknown user still costs one hash, so timing does not reveal names.
        self._dummy = self.hasher.hash(secrets.token_hex(8))
        self._states: dict[str, tuple[AccountState | None, float]] = {}

    async def install(self) -> None:
        for statement in SCHEMA:
            await self.db.execute(statement)
        for table, column, definition in ADDED_COLUMNS:
            if column not in await self._columns(table):
                await self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    async def _columns(self, table: str) -> set[str]:
        if self.db.dialect == "sqlite":
            rows = await self.db.fetch_all(f"PRAGMA table_info({table})")
            return {str(r["name"]) for r in rows}
        rows = await self.db.fetch_all(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
            (table,))
        return {str(r["column_name"]) for r in rows}

    # -- the state every request is checked against ---------------------------------------
    async def current(self, username: str) -> AccountState | None:
        """The account's current role and token version; None when it does not exist."""
        now = time.monotonic()
        cached = self._states.get(username)
        if cached is not None and now - cached[1] < STATE_TTL:
            return cached[0]
        row = await self.db.fetch_one(
            "SELECT role, token_version, created_at FROM server_users WHERE username = ?",
            (username,))
        state = None if row is None else AccountState(
            Role.parse(row["role"]), int(row["token_version"]),
            int(datetime.fromisoformat(row["created_at"]).timestamp()),
            await self._revoked_families(username))
        if len(self._states) >= STATE_CACHE:
            self._states.clear()
        self._states[username] = (state, now)
        return state

    async def _revoked_families(self, username: str) -> frozenset[str]:
        rows = await self.db.fetch_all(
            "SELECT family FROM server_revoked_families WHERE username = ? AND expires_at > ?",
            (username, int(time.time())))
        return frozenset(str(r["family"]) for r in rows)

    def _changed(self, username: str) -> None:
        self._states.pop(username, None)

    async def set_role(self, username: str, role: Role) -> Account | None:
        """Give the account another role (effective on its next request); None if unknown."""
        changed = await self.db.execute("UPDATE server_users SET role = ? WHERE username = ?",
                                        (role.label, username))
        self._changed(username)  # API keys are capped by the account's role when checked
        return await self.user(username) if changed else None

    async def revoke_tokens(self, username: str) -> None:
        """Void every token issued to the account so far (access and refresh alike)."""
        await self.db.execute("UPDATE server_users SET token_version = token_version + 1 "
                              "WHERE username = ?", (username,))
        await self.db.execute("UPDATE server_refresh_tokens SET revoked = 1 WHERE username = ?",
                              (username,))
        self._changed(username)

    # -- users ---------------------------------------------------------------------------
    async def add_user(self, username: str, password: str, role: Role) -> Account:
        if not _USERNAME.match(username):
            raise AccountError("invalid username: use letters, digits, '.', '_', '-', '@'")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
        if await self.user(username) is not None:
            raise AccountError(f"a user named '{username}' already exists")
        hashed = await asyncio.to_thread(self.hasher.hash, password)
        created = _now()
        await self.db.execute(
            "INSERT INTO server_users (username, password_hash, role, created_at) "
            "VALUES (?, ?, ?, ?)", (username, hashed, role.label, created))
        self._changed(username)
        return Account(username, role, created)

    async def user(self, username: str) -> Account | None:
        row = await self.db.fetch_one(
            "SELECT username, role, created_at FROM server_users WHERE username = ?",
            (username,))
        return None if row is None else Account(row["username"], Role.parse(row["role"]),
                                                row["created_at"])

    async def users(self) -> list[Account]:
        rows = await self.db.fetch_all(
            "SELECT username, role, created_at FROM server_users ORDER BY username")
        return [Account(r["username"], Role.parse(r["role"]), r["created_at"]) for r in rows]

    async def remove_user(self, username: str) -> bool:
        removed = await self.db.execute("DELETE FROM server_users WHERE username = ?",
                                        (username,))
        await self.db.execute("DELETE FROM server_api_keys WHERE username = ?", (username,))
        await self.db.execute("UPDATE server_refresh_tokens SET revoked = 1 WHERE username = ?",
                              (username,))
        self._changed(username)
        return removed > 0

    async def verify_password(self, username: str, password: str) -> Account | None:
        row = await self.db.fetch_one(
            "SELECT username, password_hash, role, created_at FROM server_users "
            "WHERE username = ?", (username,))
        stored = row["password_hash"] if row is not None else self._dummy
        ok = await asyncio.to_thread(self._check, stored, password)
        if row is None or not ok:
            return None
        return Account(row["username"], Role.parse(row["role"]), row["created_at"])

    def _check(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    # -- API keys ------------------------------------------------------------------------
    async def create_key(self, username: str, name: str, role: Role) -> tuple[ApiKey, str]:
        """A new key for ``username`` (role at most the user's); returns it and its secret."""
        owner = await self.user(username)
        if owner is None:
            raise AccountError(f"no user named '{username}'")
        role = min(role, owner.role)
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        created = _now()
        await self.db.execute(
            "INSERT INTO server_api_keys (id, username, name, secret_hash, role, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (key_id, username, name, _digest(secret), role.label, created))
        return ApiKey(key_id, username, name, role, created), f"{KEY_PREFIX}{key_id}_{secret}"

    async def keys(self, username: str | None = None) -> list[ApiKey]:
        rows = await self.db.fetch_all(
            "SELECT id, username, name, role, created_at FROM server_api_keys "
            "WHERE (? IS NULL OR username = ?) ORDER BY created_at, id", (username, username))
        return [ApiKey(r["id"], r["username"], r["name"], Role.parse(r["role"]),
                       r["created_at"]) for r in rows]

    async def revoke_key(self, key_id: str, username: str | None = None) -> bool:
        changed = await self.db.execute(
            "DELETE FROM server_api_keys WHERE id = ? AND (? IS NULL OR username = ?)",
            (key_id, username, username))
        return changed > 0

    async def check_key(self, presented: str) -> ApiKey | None:
        if not presented.startswith(KEY_PREFIX):
            return None
        key_id, _, secret = presented[len(KEY_PREFIX):].partition("_")
        row = await self.db.fetch_one(
            "SELECT id, username, name, secret_hash, role, created_at FROM server_api_keys "
            "WHERE id = ?", (key_id,))
        if row is None or not hmac.compare_digest(row["secret_hash"], _digest(secret)):
            return None
        return ApiKey(row["id"], row["username"], row["name"], Role.parse(row["role"]),
                      row["created_at"])

    # -- refresh tokens ------------------------------------------------------------------
    async def record_refresh(self, jti: str, username: str, expires_at: int,
                             family: str = "") -> None:
        """Remember an issued refresh token; ``family`` is the jti of the login it descends
        from (its own jti for a login)."""
        await self.db.execute(
            "INSERT INTO server_refresh_tokens (jti, username, expires_at, family) "
            "VALUES (?, ?, ?, ?)", (jti, username, expires_at, family or jti))

    async def consume_refresh(self, jti: str, username: str, access_ttl: int) -> str | None:
        """Use a refresh token once: its family when it was valid, else None.

        A refresh token presented a second time was stolen or replayed: its whole family is
        revoked, the newer refresh tokens and every access token issued from them too (they
        carry the family; ``access_ttl`` says how long the last of them may still be valid).
        The account's other logins keep working.
        """
        row = await self.db.fetch_one(
            "SELECT family FROM server_refresh_tokens WHERE jti = ? AND username = ?",
            (jti, username))
        if row is None:
            return None
        changed = await self.db.execute(
            "UPDATE server_refresh_tokens SET revoked = 1 "
            "WHERE jti = ? AND username = ? AND revoked = 0", (jti, username))
        family = str(row["family"]) or jti
        if changed:
            return family
        await self.revoke_family(family, username, access_ttl)
        return None

    async def end_family(self, jti: str, username: str, access_ttl: int) -> None:
        """Log out: the refresh token and every token of its family (access tokens too)
        stop working."""
        row = await self.db.fetch_one(
            "SELECT family FROM server_refresh_tokens WHERE jti = ? AND username = ?",
            (jti, username))
        family = str(row["family"]) if row is not None and row["family"] else jti
        await self.db.execute(
            "UPDATE server_refresh_tokens SET revoked = 1 WHERE username = ? AND jti = ?",
            (username, jti))
        await self.revoke_family(family, username, access_ttl)

    async def revoke_family(self, family: str, username: str, access_ttl: int) -> None:
        """Void every token of one login of the account, from its next request on."""
        now = int(time.time())
        await self.db.execute("UPDATE server_refresh_tokens SET revoked = 1 "
                              "WHERE username = ? AND family = ?", (username, family))
        await self.db.execute("DELETE FROM server_revoked_families WHERE expires_at <= ?",
                              (now,))  # their access tokens have all expired
        await self.db.execute(
            "INSERT INTO server_revoked_families (family, username, expires_at) "
            "VALUES (?, ?, ?) ON CONFLICT (family) DO UPDATE SET expires_at = "
            "excluded.expires_at", (family, username, now + access_ttl + 1))
        self._changed(username)
