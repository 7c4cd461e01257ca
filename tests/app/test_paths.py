from __future__ import annotations

import dataclasses
from pathlib import Path

import platformdirs
import pytest

from app.paths import APP_NAME, AppPaths


def test_hearth_home_overrides_everything(hearth_home: Path) -> None:
    paths = AppPaths.from_env()
    assert paths.home == hearth_home
    for path in (
        paths.bots_dir,
        paths.models_dir,
        paths.cache_dir,
        paths.logs_dir,
        paths.drive_dir,
        paths.db_path,
        paths.settings_path,
    ):
        assert path.is_relative_to(hearth_home)


def test_named_folders(tmp_path: Path) -> None:
    paths = AppPaths(home=tmp_path)
    assert paths.bots_dir == tmp_path / "bots"
    assert paths.models_dir == tmp_path / "models"
    assert paths.cache_dir == tmp_path / "cache"
    assert paths.logs_dir == tmp_path / "logs"
    assert paths.db_path == tmp_path / "hearth.db"
    assert paths.settings_path == tmp_path / "settings.toml"


def test_without_hearth_home_uses_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEARTH_HOME")
    expected = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    assert AppPaths.from_env().home == expected.absolute()


def test_blank_hearth_home_counts_as_unset() -> None:
    paths = AppPaths.from_env({"HEARTH_HOME": "  "})
    assert paths.home == Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)).absolute()


def test_relative_and_tilde_homes_become_absolute(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert AppPaths.from_env({"HEARTH_HOME": "~/data"}).home == tmp_path / "data"
    assert AppPaths.from_env({"HEARTH_HOME": "rel"}).home == tmp_path / "rel"


def test_computing_paths_creates_nothing(hearth_home: Path) -> None:
    paths = AppPaths.from_env()
    _ = (paths.bots_dir, paths.models_dir, paths.cache_dir, paths.logs_dir, paths.db_path)
    assert list(hearth_home.iterdir()) == []


def test_ensure_dirs_creates_the_folders(tmp_path: Path) -> None:
    paths = AppPaths(home=tmp_path / "new").ensure_dirs()
    for folder in (
        paths.bots_dir,
        paths.models_dir,
        paths.cache_dir,
        paths.logs_dir,
        paths.drive_dir,
    ):
        assert folder.is_dir()
    assert not paths.db_path.exists()
    assert paths.ensure_dirs() == paths  # idempotent


def test_is_a_frozen_value(tmp_path: Path) -> None:
    paths = AppPaths(home=tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        paths.home = tmp_path / "other"  # type: ignore[misc]
    assert paths == AppPaths(home=tmp_path)
