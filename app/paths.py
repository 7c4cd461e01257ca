"""Where Hearth keeps its data on this machine.

Everything lives under one folder, the *home*: the platform's user data dir for the app
"Hearth" (``~/.local/share/Hearth`` on Linux), or ``$HEARTH_HOME`` when it is set. Tests and
CI always set it, so they never touch a real user's data. One folder means one thing to back
up, move or delete; nothing is written outside it.

This module only computes paths; :meth:`AppPaths.ensure_dirs` is the one call that creates
folders.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Hearth"
HOME_ENV = "HEARTH_HOME"


def default_home(environ: Mapping[str, str] | None = None) -> Path:
    """The home folder: ``$HEARTH_HOME`` when set and non-empty, else the user data dir."""
    env = os.environ if environ is None else environ
    override = env.get(HOME_ENV, "").strip()
    if override:
        return Path(override).expanduser().absolute()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)).absolute()


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The data folders of one Hearth installation, all under :attr:`home`."""

    home: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AppPaths:
        """Build from the environment (``os.environ`` unless given)."""
        return cls(home=default_home(environ))

    @property
    def bots_dir(self) -> Path:
        """Installed bot packages, one ``NAME.gbai`` folder each."""
        return self.home / "bots"

    @property
    def models_dir(self) -> Path:
        """Model files pulled from the catalog (GGUF, ONNX, CTranslate2)."""
        return self.home / "models"

    @property
    def cache_dir(self) -> Path:
        """The embedded cache backend (``disk://``); safe to delete at any time."""
        return self.home / "cache"

    @property
    def logs_dir(self) -> Path:
        """Log files."""
        return self.home / "logs"

    @property
    def drive_dir(self) -> Path:
        """The embedded object store (``file://``): bot drives and knowledge-base originals."""
        return self.home / "drive"

    @property
    def db_path(self) -> Path:
        """The embedded SQLite database."""
        return self.home / "hearth.db"

    @property
    def work_dir(self) -> Path:
        """Per-bot working data (tables, memories, compiled artefacts), one folder a bot."""
        return self.home / "work"

    def bot_work_dir(self, bot: str) -> Path:
        return self.work_dir / bot

    @property
    def settings_path(self) -> Path:
        """The user-editable settings file (see :mod:`app.settings`)."""
        return self.home / "settings.toml"

    def ensure_dirs(self) -> AppPaths:
        """Create the home and its folders if missing; return ``self`` for chaining."""
        for folder in (
            self.bots_dir,
            self.models_dir,
            self.cache_dir,
            self.logs_dir,
            self.drive_dir,
            self.work_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        return self
