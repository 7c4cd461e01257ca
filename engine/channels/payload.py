"""Decoding an inbound webhook body: the JSON object a platform posts, or BadPayload."""

from __future__ import annotations

import json
from typing import Any

from engine.channels.errors import BadPayload


def json_payload(body: bytes, *, noun: str, kind: str, key: str,
                 key_type: type) -> dict[str, Any]:
    """The JSON object in ``body`` whose ``key`` holds a ``key_type``.

    BadPayload "the <noun> is not JSON" when ``body`` does not decode, and
    "the body is not <kind>" when it is not an object or ``key`` is missing or of another type.
    """
    try:
        data = json.loads(body)
    except ValueError:
        raise BadPayload(f"the {noun} is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get(key), key_type):
        raise BadPayload(f"the body is not {kind}")
    return data
