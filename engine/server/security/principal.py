"""Who is calling: roles and the authenticated principal of a request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Role(IntEnum):
    """Roles in increasing power: each role may do everything the ones below it may."""

    USER = 1
    DESIGNER = 2
    ADMIN = 3

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown role '{name}' (use admin, designer or user)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a local account (by token or API key) or an anonymous visitor."""

    user_id: str
    role: Role
    via: str  # "token" | "api_key" | "anonymous"

    @property
    def anonymous(self) -> bool:
        return self.via == "anonymous"

    def may(self, role: Role) -> bool:
        return not self.anonymous and self.role >= role

    def table_roles(self) -> frozenset[str] | None:
        """Roles for bot-table checks (READ BY / WRITE BY): an admin passes every check."""
        return None if self.role is Role.ADMIN else frozenset({self.role.label})

    def to_json(self) -> dict[str, str]:
        return {"user_id": self.user_id, "role": self.role.label, "via": self.via}
