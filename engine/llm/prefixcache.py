"""Reusing llama.cpp's evaluated prompt prefix across turns, sessions and tool decisions.

llama-cpp-python already skips the part of a new prompt that matches the tokens in its
context (the previous prompt and answer). One model serves every session and also runs the
tool decisions, so that context is often another conversation's; the states of recent
prompts are therefore kept in RAM (llama-cpp-python's ``LlamaRAMCache``, keyed by tokens) and
the longest matching one is loaded before a prompt is evaluated. A turn then evaluates only
what is new since the session's last turn: the new user message (and KB passages that
changed), not the system prompt and history again.

Saving a state normally copies the whole logits buffer (``n_batch × n_vocab`` floats: 100 MB
for SmolLM2, 300 MB for Qwen2.5) although a restored state always re-evaluates its last
token, which recomputes the logits; :func:`prefix_llama` makes states without it (the KV
cache of the used cells only: ~23 KB a token for SmolLM2-135M, ~12 KB for Qwen2.5-0.5B).
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

import numpy as np

PREFIX_CACHE_BYTES = 256 << 20  # recent prompt states kept per model (LRU)


@functools.cache
def _llama_class(llama_cpp: ModuleType) -> type:
    class PrefixLlama(llama_cpp.Llama):  # type: ignore[misc,name-defined]
        scores: Any  # llama-cpp-python's logits buffer (n_batch × n_vocab)

        def save_state(self) -> Any:
            logits = self.scores
            self.scores = np.zeros((1, logits.shape[1]), dtype=logits.dtype)
            try:  # save_state copies scores[:n_tokens]: let that be one row of zeros
                return super().save_state()
            finally:
                self.scores = logits

    return PrefixLlama


def prefix_llama(llama_cpp: ModuleType, path: str, capacity_bytes: int = PREFIX_CACHE_BYTES,
                 **settings: Any) -> Any:
    """A ``llama_cpp.Llama`` with a RAM cache of prompt states of at most
    ``capacity_bytes``; ``settings`` are the ``Llama`` constructor's."""
    llm = _llama_class(llama_cpp)(path, **settings)
    llm.set_cache(llama_cpp.LlamaRAMCache(capacity_bytes=capacity_bytes))
    return llm


def evaluated_prompt_tokens(llama_cpp: ModuleType, llm: Any) -> int:
    """Prompt tokens llama.cpp has evaluated in batches since the model was loaded (a
    restored or matched prefix is not evaluated again)."""
    return int(llama_cpp.llama_perf_context(llm._ctx.ctx).n_p_eval)
