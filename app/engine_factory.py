"""Building the Engine for this machine: the composition root's one recipe."""

from __future__ import annotations

from pathlib import Path

from app.paths import AppPaths
from app.settings import load_settings
from engine.api import Engine, EngineConfig

TEMPLATES = Path(__file__).resolve().parents[1] / "resources" / "templates"


def engine_config(paths: AppPaths, **options: bool) -> EngineConfig:
    chat_model = load_settings(paths).models.chat
    return EngineConfig(paths.home, paths.bots_dir, paths.work_dir, paths.db_path, TEMPLATES,
                        models_dir=paths.models_dir, chat_model=chat_model, **options)


def build_engine(paths: AppPaths | None = None, **options: bool) -> Engine:
    paths = (paths or AppPaths.from_env()).ensure_dirs()
    return Engine(engine_config(paths, **options))
