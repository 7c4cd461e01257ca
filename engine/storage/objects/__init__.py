"""Object stores: the :class:`ObjectStore` protocol; backends in ``local`` and ``s3``."""

from engine.storage.objects.keys import check_key
from engine.storage.objects.protocol import ObjectInfo, ObjectStore

__all__ = ["ObjectInfo", "ObjectStore", "check_key"]
