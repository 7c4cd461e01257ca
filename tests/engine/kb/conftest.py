"""Fixtures of the knowledge-base tests: embedders, the real model, generated documents."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from engine.kb import HashingEmbedder, MiniLmOnnxEmbedder
from tests.conftest import require_service

MODEL_NAME = "all-minilm-l6-v2"
REPO = Path(__file__).resolve().parents[3]


def model_dir() -> Path | None:
    """Where the real embedding model is: $HEARTH_TEST_MINILM_DIR, the installed catalog model
    (``hearth models pull all-minilm-l6-v2``), or the developer cache ``.cache/models``."""
    candidates = [os.environ.get("HEARTH_TEST_MINILM_DIR", "")]
    try:
        from app.paths import AppPaths
        from engine.llm.models import ModelManager

        candidates.append(str(ModelManager(AppPaths.from_env().models_dir).path(MODEL_NAME).parent))
    except Exception:  # not installed (or the manager is unavailable): try the next place
        pass
    for root in (Path(os.environ.get("HEARTH_MODELS_DIR", "")), REPO / ".cache" / "models"):
        candidates.append(str(root / MODEL_NAME))
    for candidate in candidates:
        if candidate and MiniLmOnnxEmbedder.available(Path(candidate)):
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def minilm_dir() -> Path:
    found = model_dir()
    if found is None:
        require_service(MODEL_NAME, "run `hearth models pull all-minilm-l6-v2`")
    return found


@pytest.fixture(scope="session")
def minilm(minilm_dir: Path) -> Iterator[MiniLmOnnxEmbedder]:
    embedder = MiniLmOnnxEmbedder(minilm_dir)
    yield embedder
    embedder.close()


@pytest.fixture
def hashing() -> Iterator[HashingEmbedder]:
    embedder = HashingEmbedder()
    yield embedder
    embedder.close()
