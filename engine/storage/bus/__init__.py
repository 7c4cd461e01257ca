"""Event buses: the :class:`EventBus` protocol; backends in ``local`` and ``redis``."""

from engine.storage.bus.protocol import Event, EventBus, Subscription

__all__ = ["Event", "EventBus", "Subscription"]
