"""Counters of the LLM layer, named as the server exports them (ARCHITECTURE.md §7)."""

from __future__ import annotations

import threading


class LlmMetrics:
    """``llm_requests_total`` counts answers asked for (chat turns and AI keywords, cached or
    not); ``llm_cache_hits_total`` the ones the semantic cache answered. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._cache_hits = 0

    def request(self) -> None:
        with self._lock:
            self._requests += 1

    def cache_hit(self) -> None:
        with self._lock:
            self._cache_hits += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {"llm_requests_total": self._requests,
                    "llm_cache_hits_total": self._cache_hits}
