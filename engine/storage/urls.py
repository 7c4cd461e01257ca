"""Backends chosen by URL: ``sqlite:///…``, ``file:///…``, ``disk:///…``, ``local``, and the
shared ones ``postgresql://…``, ``redis://…`` (cache and bus) and ``s3://bucket?endpoint=…``.

Each (kind, scheme) pair maps to a factory that receives the parsed :class:`StorageUrl` and
returns an unopened backend. A factory is usually given as ``"module:attribute"`` and imported
only when a URL needs it, so naming PostgreSQL, S3 or Redis here costs nothing until used.
The embedded backends register through the same :func:`register_backend` as any other::

    register_backend("db", "postgresql", "engine.storage.db.postgres:PostgresDatabase.from_url")
    db = database_from_url(settings.storage.db)
    async with db: ...

URLs are read like ``Path.as_uri()`` writes them (ARCHITECTURE §2): ``urlsplit``, then the
path is percent-decoded. A bare name (``local``) is a URL with only a scheme.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias, cast, get_args
from urllib.parse import parse_qsl, unquote, urlsplit

from engine.storage.errors import StorageUrlError

if TYPE_CHECKING:
    from engine.storage.bus.protocol import EventBus
    from engine.storage.cache.protocol import Cache
    from engine.storage.db.protocol import Database
    from engine.storage.objects.protocol import ObjectStore

Kind: TypeAlias = Literal["db", "objects", "cache", "bus"]
Factory: TypeAlias = Callable[["StorageUrl"], object]

_BARE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_WINDOWS_DRIVE = re.compile(r"/[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class StorageUrl:
    """A parsed storage URL; ``path`` is already percent-decoded."""

    text: str
    scheme: str
    host: str | None = None
    port: int | None = None
    username: str | None = None
    path: str = ""
    query: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> StorageUrl:
        if _BARE_NAME.fullmatch(text):
            return cls(text, text)
        parts = urlsplit(text)
        if not parts.scheme or "://" not in text:
            raise StorageUrlError(f"not a storage URL: {text!r} (expected scheme://...)")
        if parts.password is not None:
            raise StorageUrlError("a storage URL must not carry a password")
        try:
            port = parts.port
        except ValueError as exc:
            raise StorageUrlError(f"bad port in storage URL {text!r}") from exc
        return cls(
            text,
            parts.scheme.lower(),
            parts.hostname,
            port,
            unquote(parts.username) if parts.username else None,
            unquote(parts.path),
            dict(parse_qsl(parts.query)),
        )

    def int_option(self, name: str, default: int) -> int:
        """The integer query parameter ``name`` (``?readers=4``), or ``default``."""
        value = self.query.get(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise StorageUrlError(f"{name} must be an integer in {self.text!r}") from None

    def local_path(self) -> Path:
        """The absolute file-system path of a ``scheme:///path`` URL (an embedded backend)."""
        if self.host not in (None, "", "localhost") or not self.path.startswith("/"):
            raise StorageUrlError(
                f"{self.scheme}: URLs name a local path: {self.scheme}:///absolute/path "
                f"(got {self.text!r})"
            )
        path = self.path
        if os.name == "nt" and _WINDOWS_DRIVE.match(path):
            path = path[1:]  # /C:/Users/... -> C:/Users/...
        return Path(path)


class BackendRegistry:
    """Factories by kind and scheme."""

    def __init__(self) -> None:
        self._factories: dict[tuple[str, str], str | Factory] = {}

    def register(self, kind: Kind, scheme: str, factory: str | Factory) -> None:
        """Make ``scheme`` URLs open with ``factory`` (``"module:attr"`` or a callable)."""
        if kind not in get_args(Kind):
            raise ValueError(f"unknown storage kind {kind!r}")
        key = (kind, scheme.lower())
        if key in self._factories and self._factories[key] != factory:
            raise ValueError(f"a {kind} backend is already registered for {scheme!r}")
        self._factories[key] = factory

    def schemes(self, kind: Kind) -> list[str]:
        return sorted(scheme for k, scheme in self._factories if k == kind)

    def create(self, kind: Kind, url: str) -> object:
        """An unopened backend for ``url``; StorageUrlError if no backend knows its scheme."""
        parsed = StorageUrl.parse(url)
        factory = self._factories.get((kind, parsed.scheme))
        if factory is None:
            known = ", ".join(self.schemes(kind)) or "none"
            raise StorageUrlError(
                f"no {kind} backend for the URL scheme {parsed.scheme!r} (known: {known})"
            )
        if isinstance(factory, str):
            factory = _load(factory)
        return factory(parsed)


def _load(reference: str) -> Factory:
    module_name, _, attributes = reference.partition(":")
    target: object = importlib.import_module(module_name)
    for attribute in attributes.split("."):
        target = getattr(target, attribute)
    return cast(Factory, target)


BACKENDS = BackendRegistry()
register_backend = BACKENDS.register


def database_from_url(url: str) -> Database:
    return cast("Database", BACKENDS.create("db", url))


def object_store_from_url(url: str) -> ObjectStore:
    return cast("ObjectStore", BACKENDS.create("objects", url))


def cache_from_url(url: str) -> Cache:
    return cast("Cache", BACKENDS.create("cache", url))


def event_bus_from_url(url: str) -> EventBus:
    return cast("EventBus", BACKENDS.create("bus", url))


register_backend("db", "sqlite", "engine.storage.db.sqlite:SqliteDatabase.from_url")
register_backend("db", "postgresql", "engine.storage.db.postgres:PostgresDatabase.from_url")
register_backend("objects", "file", "engine.storage.objects.local:LocalObjectStore.from_url")
register_backend("cache", "disk", "engine.storage.cache.disk:DiskCache.from_url")
register_backend("bus", "local", "engine.storage.bus.local:LocalEventBus.from_url")
register_backend("objects", "s3", "engine.storage.objects.s3:S3ObjectStore.from_url")
for _scheme in ("redis", "rediss"):
    register_backend("cache", _scheme, "engine.storage.cache.redis:RedisCache.from_url")
    register_backend("bus", _scheme, "engine.storage.bus.redis:RedisEventBus.from_url")
