"""Backends chosen by URL: the settings' defaults open the embedded backends; other schemes
are added by registration and imported only when used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.paths import AppPaths
from app.settings import StorageSettings
from engine.storage.bus.local import LocalEventBus
from engine.storage.cache.disk import DiskCache
from engine.storage.db.sqlite import SqliteDatabase
from engine.storage.errors import StorageUrlError
from engine.storage.objects.local import LocalObjectStore
from engine.storage.urls import (
    BackendRegistry,
    StorageUrl,
    cache_from_url,
    database_from_url,
    event_bus_from_url,
    object_store_from_url,
)

pytestmark = pytest.mark.anyio


def test_the_settings_defaults_open_the_embedded_backends(tmp_path: Path) -> None:
    paths = AppPaths(home=tmp_path / "Hearth data ü %20")
    settings = StorageSettings.embedded(paths)
    db = database_from_url(settings.db)
    objects = object_store_from_url(settings.objects)
    cache = cache_from_url(settings.cache)
    bus = event_bus_from_url(settings.bus)
    assert isinstance(db, SqliteDatabase) and db.path == paths.db_path
    assert isinstance(objects, LocalObjectStore) and objects.root == paths.drive_dir
    assert isinstance(cache, DiskCache) and cache.directory == paths.cache_dir
    assert isinstance(bus, LocalEventBus)


async def test_a_default_url_opens_and_works(tmp_path: Path) -> None:
    settings = StorageSettings.embedded(AppPaths(home=tmp_path / "with space"))
    async with database_from_url(settings.db) as db:
        await db.execute("CREATE TABLE t (x)")
    assert (tmp_path / "with space").is_dir()


def test_parse() -> None:
    url = StorageUrl.parse("postgresql://hearth@db.lan:5433/hearth?sslmode=require")
    assert (url.scheme, url.host, url.port, url.username, url.path) == (
        "postgresql",
        "db.lan",
        5433,
        "hearth",
        "/hearth",
    )
    assert url.query == {"sslmode": "require"}
    assert StorageUrl.parse("local").scheme == "local"
    assert StorageUrl.parse("sqlite:///a%20b/c%25.db").local_path() == Path("/a b/c%.db")
    assert StorageUrl.parse("file://localhost/srv/drive").local_path() == Path("/srv/drive")


@pytest.mark.parametrize(
    "text",
    ["no scheme", "sqlite:relative.db", "redis://user:secret@host/0", "redis://host:99999"],
)
def test_malformed_urls(text: str) -> None:
    with pytest.raises(StorageUrlError):
        StorageUrl.parse(text)


def test_query_options() -> None:
    db = database_from_url("sqlite:///tmp/x.db?readers=4")
    assert isinstance(db, SqliteDatabase) and db._readers == 4
    with pytest.raises(StorageUrlError, match="readers must be an integer"):
        database_from_url("sqlite:///tmp/x.db?readers=many")


def test_a_local_backend_needs_an_absolute_local_path() -> None:
    with pytest.raises(StorageUrlError, match=r"sqlite:///absolute/path"):
        database_from_url("sqlite://relative/hearth.db")


def test_an_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(StorageUrlError) as err:
        database_from_url("mysql://db.lan/hearth")
    assert "'mysql'" in err.value.message and "sqlite" in err.value.message
    with pytest.raises(StorageUrlError, match=r"known: disk"):
        cache_from_url("memcached://host")
    with pytest.raises(StorageUrlError, match=r"known: local"):
        event_bus_from_url("kafka://host")


def test_factories_are_imported_when_a_url_needs_them() -> None:
    registry = BackendRegistry()
    registry.register("db", "fake", "not_a_real_module_anywhere:Factory")  # not imported yet
    registry.register("cache", "memory", lambda url: ("made", url.path))
    assert registry.create("cache", "memory:///x") == ("made", "/x")
    assert registry.schemes("db") == ["fake"]
    with pytest.raises(ModuleNotFoundError):
        registry.create("db", "fake:///x")


def test_registration_rules() -> None:
    registry = BackendRegistry()
    registry.register("db", "sqlite", "a:b")
    registry.register("db", "SQLite", "a:b")  # the same again is fine
    with pytest.raises(ValueError, match="already registered"):
        registry.register("db", "sqlite", "c:d")
    with pytest.raises(ValueError, match="unknown storage kind"):
        registry.register("queue", "x", "a:b")  # type: ignore[arg-type]


def test_importing_the_storage_package_loads_no_backend() -> None:
    code = (
        "import sys, engine.storage, engine.storage.db, engine.storage.migrations;"
        "print(sorted(m for m in ('sqlean', 'diskcache', 'sqlite_vec') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
