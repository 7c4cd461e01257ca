"""Which optional parts exist on this machine and in this build, so the window shows only
what really works (UX.md: "Later sections appear in the rail only once they work")."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def model_manager(models_dir: Path) -> Any | None:
    """The engine's ModelManager when the LLM layer and its catalog are present."""
    if not has_module("engine.llm.models"):
        return None
    try:
        from engine.llm.models import ModelManager

        return ModelManager(models_dir)
    except Exception as error:  # a missing or broken catalog hides the page, with a log line
        log.warning("model manager unavailable: %s", error)
        return None


def audio_input_available() -> bool:
    """A microphone Qt can record from (QtMultimedia is in PySide6-Addons)."""
    if not has_module("PySide6.QtMultimedia"):
        return False
    try:
        from PySide6.QtMultimedia import QMediaDevices  # type: ignore[import-not-found]

        return bool(QMediaDevices.audioInputs())
    except Exception:  # no backend on this machine
        return False


def speech_model(models_dir: Path) -> Path | None:
    """The installed Whisper model folder, if any."""
    manager = model_manager(models_dir)
    if manager is None or not has_module("faster_whisper"):
        return None
    for status in manager.list():
        if status.spec.role == "speech" and status.installed:
            return Path(status.folder)
    return None


def server_available() -> bool:
    return has_module("engine.server")
