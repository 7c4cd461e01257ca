"""API keys in the OS keyring (ARCHITECTURE.md §6), under the service name the engine reads.

A bot's ``config.csv`` refers to a key as ``llm-key,keyring:NAME``; the Settings view stores
NAME here and :class:`engine.llm.config.KeyringSecrets` reads it back. Values never reach a
file, a log or the screen (the view only shows whether a key is set).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "hearth"
_INDEX = "__names__"  # keyrings cannot list their entries: Hearth keeps its own index


class SecretsUnavailable(Exception):
    """No usable keyring on this machine; the message says what to do."""


@dataclass(frozen=True, slots=True)
class SecretInfo:
    name: str
    is_set: bool


class SecretStore:
    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def backend_name(self) -> str:
        backend = keyring.get_keyring()
        return getattr(backend, "name", type(backend).__name__)

    def available(self) -> bool:
        backend = keyring.get_keyring()
        priority = getattr(backend, "priority", 1)
        return not (isinstance(priority, (int, float)) and priority < 0)

    def names(self) -> list[str]:
        raw = self._get(_INDEX)
        try:
            names = json.loads(raw) if raw else []
        except ValueError:
            names = []
        return sorted(str(n) for n in names)

    def secrets(self) -> list[SecretInfo]:
        return [SecretInfo(n, bool(self._get(n))) for n in self.names()]

    def get(self, name: str) -> str | None:
        return self._get(name)

    def set(self, name: str, value: str) -> None:
        name = name.strip()
        if not name or name == _INDEX:
            raise ValueError("a key needs a name")
        self._call(keyring.set_password, self.service, name, value)
        names = set(self.names()) | {name}
        self._call(keyring.set_password, self.service, _INDEX, json.dumps(sorted(names)))

    def delete(self, name: str) -> None:
        with contextlib.suppress(PasswordDeleteError):
            self._call(keyring.delete_password, self.service, name)
        names = set(self.names()) - {name}
        self._call(keyring.set_password, self.service, _INDEX, json.dumps(sorted(names)))

    def _get(self, name: str) -> str | None:
        value: str | None = self._call(keyring.get_password, self.service, name)
        return value

    @staticmethod
    def _call(function: Any, *args: Any) -> Any:
        try:
            return function(*args)
        except PasswordDeleteError:
            raise
        except (KeyringError, RuntimeError) as error:
            raise SecretsUnavailable(
                "No keyring is available on this machine: install and unlock one "
                "(GNOME Keyring, KWallet, macOS Keychain, Windows Credential Locker), "
                "or the keyrings.alt package for a file-based keyring.") from error


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in memory: tests and screenshots, never a real user's secrets."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self._values:
            raise PasswordDeleteError(username)
        del self._values[(service, username)]
