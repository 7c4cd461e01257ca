from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from app.paths import AppPaths
from app.settings import (
    Settings,
    SettingsError,
    StorageSettings,
    load_settings,
    save_settings,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def paths(hearth_home: Path) -> AppPaths:
    return AppPaths.from_env()


def write(paths: AppPaths, text: str) -> Path:
    paths.settings_path.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_path.write_text(text, encoding="utf-8")
    return paths.settings_path


def test_missing_file_gives_defaults(paths: AppPaths) -> None:
    settings = load_settings(paths)
    assert settings == Settings.defaults(paths)
    assert settings.models.chat == "smollm2-135m-instruct"
    assert settings.appearance.theme == "light"
    assert (settings.server.enabled, settings.server.host, settings.server.port) == (
        False,
        "127.0.0.1",
        8080,
    )
    assert not paths.settings_path.exists()  # loading never writes


def test_embedded_storage_lives_under_the_data_dir(paths: AppPaths) -> None:
    storage = StorageSettings.embedded(paths)
    home = paths.home.as_posix()
    assert storage.db == f"sqlite://{home}/hearth.db"
    assert storage.objects == f"file://{home}/drive"
    assert storage.cache == f"disk://{home}/cache"
    assert storage.bus == "local"


def test_embedded_urls_are_percent_encoded(tmp_path: Path) -> None:
    paths = AppPaths(home=tmp_path / "my data")
    assert StorageSettings.embedded(paths).db.endswith("/my%20data/hearth.db")


def test_partial_file_keeps_other_defaults(paths: AppPaths) -> None:
    write(paths, '[appearance]\ntheme = "dark"\n\n[server]\nport = 9000\n')
    settings = load_settings(paths)
    assert settings.appearance.theme == "dark"
    assert settings.server.port == 9000
    assert settings.server.host == "127.0.0.1"
    assert settings.storage == StorageSettings.embedded(paths)


def test_storage_urls_can_point_elsewhere(paths: AppPaths) -> None:
    write(
        paths,
        '[storage]\ndb = "postgresql://hearth@db.local/hearth"\n'
        'bus = "redis://cache.local:6379/0"\n',
    )
    storage = load_settings(paths).storage
    assert storage.db == "postgresql://hearth@db.local/hearth"
    assert storage.bus == "redis://cache.local:6379/0"
    assert storage.cache == StorageSettings.embedded(paths).cache


def test_round_trip(paths: AppPaths) -> None:
    settings = Settings.defaults(paths).updated(
        {
            "appearance": {"theme": "dark"},
            "server": {"enabled": True, "host": "0.0.0.0", "port": 8443},
            "models": {"chat": "qwen2.5-coder-0.5b-instruct"},
            "storage": {"cache": "redis://localhost:6379/1"},
        }
    )
    assert save_settings(settings, paths) == paths.settings_path
    assert load_settings(paths) == settings


def test_saved_file_is_commented_toml_without_default_storage(paths: AppPaths) -> None:
    save_settings(Settings.defaults(paths), paths)
    text = paths.settings_path.read_text(encoding="utf-8")
    assert text.startswith("# Hearth settings.")
    document = tomllib.loads(text)
    assert "storage" not in document  # embedded defaults follow HEARTH_HOME, not pinned
    assert document["appearance"] == {"theme": "light"}
    assert [p.name for p in paths.home.iterdir()] == ["settings.toml"]  # no temp file left


def test_moving_the_home_moves_the_default_storage(paths: AppPaths, tmp_path: Path) -> None:
    save_settings(Settings.defaults(paths), paths)
    moved = AppPaths(home=tmp_path / "moved")
    moved.home.mkdir()
    paths.settings_path.rename(moved.settings_path)
    assert load_settings(moved).storage == StorageSettings.embedded(moved)


def test_save_creates_the_data_dir(tmp_path: Path) -> None:
    paths = AppPaths(home=tmp_path / "a" / "b")
    save_settings(Settings.defaults(paths), paths)
    assert paths.settings_path.is_file()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('[appearance]\ntheme = "purple"\n', "appearance.theme"),
        ("[server]\nport = 70000\n", "server.port"),
        ('[server]\nport = "eighty"\n', "server.port"),
        ("[server]\nprot = 8080\n", "server.prot"),
        ('theme = "dark"\n', "theme"),
        ('[models]\nchat = ""\n', "models.chat"),
        ('[storage]\ndb = "hearth.db"\n', "storage.db"),
        ('[storage]\ncache = "redis://:hunter2@localhost:6379"\n', "storage.cache"),
        ('storage = "sqlite"\n', "storage"),
    ],
)
def test_bad_values_name_the_file_and_the_field(paths: AppPaths, text: str, field: str) -> None:
    path = write(paths, text)
    with pytest.raises(SettingsError) as caught:
        load_settings(paths)
    error = caught.value
    assert error.path == path
    assert field in error.fields
    assert str(path) in error.message
    assert re.search(rf"^  {re.escape(field)}: ", error.message, re.MULTILINE)


def test_password_in_a_url_is_refused_with_a_reason(paths: AppPaths) -> None:
    write(paths, '[storage]\ndb = "postgresql://u:secret@db/hearth"\n')
    with pytest.raises(SettingsError, match="keyring"):
        load_settings(paths)


def test_invalid_toml_names_the_file_and_line(paths: AppPaths) -> None:
    path = write(paths, "[server]\nport = = 1\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(paths)
    assert caught.value.path == path
    assert caught.value.message.startswith(f"{path}: not valid TOML")
    assert "line 2" in caught.value.message


def test_undecodable_file_is_a_settings_error(paths: AppPaths) -> None:
    paths.home.mkdir(parents=True, exist_ok=True)
    paths.settings_path.write_bytes(b"\xff\xfe[server]\n")
    with pytest.raises(SettingsError, match=r"settings\.toml"):
        load_settings(paths)


def test_updated_validates_and_leaves_the_original(paths: AppPaths) -> None:
    original = Settings.defaults(paths)
    changed = original.updated({"server": {"port": 9001}})
    assert changed.server.port == 9001
    assert changed.server.host == original.server.host
    assert original.server.port == 8080
    with pytest.raises(SettingsError) as caught:
        original.updated({"server": {"port": 0}})
    assert caught.value.path is None
    assert caught.value.fields == ("server.port",)


def test_settings_are_frozen(paths: AppPaths) -> None:
    settings = Settings.defaults(paths)
    with pytest.raises(ValueError, match="frozen"):
        settings.server.port = 1


def _dotted_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    names: list[str] = []
    for name, field in model.model_fields.items():
        annotation: Any = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _dotted_fields(annotation, f"{prefix}{name}.")
        else:
            names.append(prefix + name)
    return names


def test_docs_describe_every_setting() -> None:
    docs = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    fields = _dotted_fields(Settings)
    assert len(fields) == 9
    missing = [name for name in fields if f"`{name}`" not in docs]
    assert not missing, f"docs/settings.md does not describe: {missing}"
