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
from tests.engine.media.cached_models import cached_model

MODEL_NAME = "all-minilm-l6-v2"


def model_dir() -> Path:
    """The real embedding model: ``$HEARTH_TEST_MINILM_DIR`` if set, else the catalog model
    pulled once into the shared test cache (a missing registry skips, or fails in CI)."""
    override = os.environ.get("HEARTH_TEST_MINILM_DIR")
    if override:
        if not MiniLmOnnxEmbedder.available(Path(override)):
            require_service(MODEL_NAME, f"no model.onnx/tokenizer.json in {override}")
        return Path(override)
    return cached_model(MODEL_NAME).path(MODEL_NAME).parent


@pytest.fixture(scope="session")
def minilm_dir() -> Path:
    return model_dir()


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
