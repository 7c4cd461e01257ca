"""Caches: the :class:`Cache` protocol; backends in ``disk`` and ``redis``."""

from engine.storage.cache.protocol import Cache

__all__ = ["Cache"]
