"""User-editable settings, kept in ``settings.toml`` in the data folder.

The file is TOML (people edit it by hand; it allows comments) with one table per settings
page: ``[models]``, ``[appearance]``, ``[server]`` and ``[storage]``. Every key is optional:
a missing file or key means the default. Unknown keys are errors, so a typo fails loudly
with the file path and the dotted field name instead of being silently ignored.

The four storage URLs default to the embedded backends under the data folder
(ARCHITECTURE §2). Those defaults are computed from :class:`~app.paths.AppPaths` at load
time and are not written back, so moving ``HEARTH_HOME`` moves the data with it.

No secrets live here: API keys, tokens and passwords go to the OS keyring, and a storage URL
that carries a password is refused.

``docs/settings.md`` documents every field; a test keeps the two in step.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import tomli_w
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from app.paths import AppPaths

_BARE_NAME = re.compile(r"[a-z][a-z0-9_]*")

FILE_HEADER = """\
# Hearth settings. Every key is optional; delete one to get its default back.
# Secrets (API keys, tokens, passwords) never go here: Hearth keeps them in the OS keyring.
# [storage] db / objects / cache / bus: leave them out to use the embedded backends
# under this folder; set postgresql://, s3://, redis:// URLs to share storage.

"""


class SettingsError(Exception):
    """A settings file or change that cannot be used. The message is safe to show a user."""

    def __init__(self, message: str, path: Path | None, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.fields = fields

    @classmethod
    def from_validation(cls, path: Path | None, exc: ValidationError) -> SettingsError:
        """One line per problem: ``  section.key: what is wrong (got VALUE)``."""
        fields = tuple(".".join(str(part) for part in err["loc"]) for err in exc.errors())
        lines = [
            f"  {field or '(top level)'}: {err['msg']} (got {err['input']!r})"
            for field, err in zip(fields, exc.errors(), strict=True)
        ]
        where = f"{path}: invalid settings" if path else "invalid settings"
        return cls("\n".join([where, *lines]), path, fields)


def _check_storage_url(value: str) -> str:
    if _BARE_NAME.fullmatch(value):  # a backend that needs no address, e.g. "local"
        return value
    parts = urlsplit(value)
    if not parts.scheme or "://" not in value:
        raise ValueError("expected a URL such as sqlite:///path/hearth.db or redis://host:6379/0")
    if parts.password is not None:
        raise ValueError("a storage URL must not carry a password: it belongs in the OS keyring")
    return value


StorageUrl = Annotated[str, AfterValidator(_check_storage_url)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageSettings(_Section):
    """Where the engine keeps its data: one URL per kind of storage."""

    db: StorageUrl = Field(description="Relational database: sqlite:/// or postgresql://")
    objects: StorageUrl = Field(
        description="Object store for drives and KB originals: file:/// or s3://bucket?endpoint=..."
    )
    cache: StorageUrl = Field(description="Cache: disk:/// or redis://")
    bus: StorageUrl = Field(description="Event bus across instances: local or redis://")

    @classmethod
    def embedded(cls, paths: AppPaths) -> StorageSettings:
        """The defaults: SQLite, a local folder, a disk cache and the in-process bus."""
        return cls(
            db=_uri("sqlite", paths.db_path),
            objects=_uri("file", paths.drive_dir),
            cache=_uri("disk", paths.cache_dir),
            bus="local",
        )


def _uri(scheme: str, path: Path) -> str:
    """``scheme:///absolute/path``, percent-encoded like a ``file://`` URI."""
    return scheme + path.as_uri().removeprefix("file")


class ModelSettings(_Section):
    """Which models the engine uses when a bot does not say."""

    chat: str = Field(
        default="smollm2-135m-instruct",
        min_length=1,
        description="Catalog name of the default chat model",
    )


class AppearanceSettings(_Section):
    """How the desktop app looks."""

    theme: Literal["light", "dark"] = Field(
        default="light", description="Desktop theme: light or dark"
    )


class ServerSettings(_Section):
    """The optional LAN server (``hearth serve``, or the desktop's toggle)."""

    enabled: bool = Field(default=False, description="Start the LAN server with the desktop app")
    host: str = Field(
        default="127.0.0.1",
        min_length=1,
        description="Address to listen on; 0.0.0.0 exposes it to the LAN",
    )
    port: int = Field(default=8080, ge=1, le=65535, description="TCP port to listen on")


class Settings(_Section):
    """Everything a user can change in ``settings.toml`` or the Settings view."""

    models: ModelSettings = ModelSettings()
    appearance: AppearanceSettings = AppearanceSettings()
    server: ServerSettings = ServerSettings()
    storage: StorageSettings

    @classmethod
    def defaults(cls, paths: AppPaths) -> Settings:
        """The settings of a fresh installation whose data folder is ``paths.home``."""
        return cls(storage=StorageSettings.embedded(paths))

    def updated(self, changes: Mapping[str, Any]) -> Settings:
        """A validated copy with ``changes`` (nested like the file) applied over this one."""
        data = _deep_merge(self.model_dump(), changes)
        try:
            return Settings.model_validate(data)
        except ValidationError as exc:
            raise SettingsError.from_validation(None, exc) from exc


def _deep_merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = _deep_merge(old, value)
        else:
            merged[key] = value
    return merged


def load_settings(paths: AppPaths) -> Settings:
    """Read ``paths.settings_path``; a missing file gives the defaults.

    Raises :class:`SettingsError` naming the file (and the field, when one is wrong).
    """
    path = paths.settings_path
    if not path.exists():
        return Settings.defaults(paths)
    data = _read_toml(path)
    defaults = Settings.defaults(paths).model_dump()
    try:
        return Settings.model_validate(_deep_merge(defaults, data))
    except ValidationError as exc:
        raise SettingsError.from_validation(path, exc) from exc


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}", path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read settings: {exc}", path) from exc


def save_settings(settings: Settings, paths: AppPaths) -> Path:
    """Write ``settings`` to ``paths.settings_path`` atomically; return the path.

    Storage URLs equal to the embedded defaults are left out (see the module docstring).
    """
    document = settings.model_dump(mode="json")
    embedded = StorageSettings.embedded(paths).model_dump()
    storage = {k: v for k, v in document.pop("storage").items() if v != embedded[k]}
    if storage:
        document["storage"] = storage
    path = paths.settings_path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(FILE_HEADER + tomli_w.dumps(document), encoding="utf-8")
    os.replace(temporary, path)
    return path
