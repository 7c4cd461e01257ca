"""Per-client token buckets: ``rate`` requests a second on average, bursts up to ``burst``."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucketLimiter:
    """One bucket per key (the client IP). Memory is bounded by ``max_keys``: when full, the
    buckets that have refilled completely are dropped (they carry no information)."""

    def __init__(self, rate: float, burst: int, *, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last time)

    def take(self, key: str, cost: float = 1.0) -> float:
        """Spend ``cost`` tokens; 0.0 when allowed, else the seconds to wait before retrying."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= cost:
            self._store(key, tokens - cost, now)
            return 0.0
        self._store(key, tokens, now)
        return (cost - tokens) / self.rate

    def _store(self, key: str, tokens: float, now: float) -> None:
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            self._prune(now)
        self._buckets[key] = (tokens, now)

    def _prune(self, now: float) -> None:
        full = [k for k, (t, last) in self._buckets.items()
                if t + (now - last) * self.rate >= self.burst]
        for key in full or list(self._buckets)[: self.max_keys // 10 or 1]:
            del self._buckets[key]
