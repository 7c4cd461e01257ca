"""Which object keys are allowed: one rule set for every backend.

A key is 1 to 1024 UTF-8 bytes of ``/``-separated segments. No segment is empty, ``.`` or
``..``, starts with ``.hearth-`` (reserved for the store's own files), ends with a dot or a
space, or is a Windows device name (``CON``, ``NUL``, ``COM1``...); no character is a control
character or one of ``\\ : * ? " < > |``. So a key can never leave the store's root, and a
key that works with the local store also works on Windows and in S3.
"""

from __future__ import annotations

import re

from engine.storage.errors import InvalidKeyError

MAX_KEY_BYTES = 1024
RESERVED_PREFIX = ".hearth-"

_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f\\:*?"<>|]')
_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?", re.IGNORECASE)


def check_key(key: str) -> str:
    """``key`` itself if it is allowed, else :class:`InvalidKeyError` saying why."""
    if not isinstance(key, str) or not key:
        raise InvalidKeyError("an object key must be a non-empty string")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise InvalidKeyError(f"an object key is at most {MAX_KEY_BYTES} bytes long")
    if (bad := _FORBIDDEN.search(key)) is not None:
        raise InvalidKeyError(f"object key {key!r} contains the character {bad[0]!r}")
    for segment in key.split("/"):
        _check_segment(key, segment)
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix: the start of an allowed key. Its whole segments (those before the
    last ``/``) follow the key rules; the partial last one only the character rules."""
    if (bad := _FORBIDDEN.search(prefix)) is not None:
        raise InvalidKeyError(f"prefix {prefix!r} contains the character {bad[0]!r}")
    for segment in prefix.split("/")[:-1]:
        _check_segment(prefix, segment)
    return prefix


def _check_segment(key: str, segment: str) -> None:
    if segment in ("", ".", ".."):
        raise InvalidKeyError(f"object key {key!r} has an empty, '.' or '..' part")
    if segment.startswith(RESERVED_PREFIX):
        reserved = f"object key {key!r}: names starting {RESERVED_PREFIX!r} are reserved"
        raise InvalidKeyError(reserved)
    if segment[-1] in ". ":
        raise InvalidKeyError(f"object key {key!r} has a part ending with a dot or a space")
    if _DEVICE.fullmatch(segment):
        raise InvalidKeyError(f"object key {key!r} uses the reserved device name {segment!r}")
