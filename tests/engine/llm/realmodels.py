"""Real local models for the LLM tests: catalog models from the shared test cache, loaded by
llama.cpp with one thread (stable timings on a busy machine). Missing llama-cpp-python or a
model that cannot be pulled is a missing service (skip; failure in CI)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from engine.llm.llamacpp import LlamaCppChatModel
from tests.conftest import require_service
from tests.engine.media.cached_models import cached_model

SMOLLM2 = "smollm2-135m-instruct"
QWEN = "qwen2.5-coder-0.5b-instruct"
MINILM = "all-minilm-l6-v2"


def model_path(name: str) -> Path:
    if importlib.util.find_spec("llama_cpp") is None:
        require_service("llama.cpp", "llama-cpp-python is not installed")
    return cached_model(name).path(name)


def load(name: str = SMOLLM2, n_threads: int = 1, n_ctx: int = 2048) -> LlamaCppChatModel:
    model = LlamaCppChatModel(model_path(name), n_threads=n_threads, n_ctx=n_ctx, name=name)
    model.load()
    return model


def minilm_dir() -> Path:
    return cached_model(MINILM).status(MINILM).folder
