"""Is a "text" file really text? A cheap look at its first bytes.

A binary file renamed ``.md`` or ``.txt`` decodes (Windows-1252 accepts any byte) into
thousands of garbage chunks that cost minutes of embedding and pollute every search. Text
formats are therefore sniffed before they are read: the first :data:`SNIFF_BYTES` bytes must
hold no NUL byte (UTF-16 with a byte-order mark excepted) and few control characters, where
invalid UTF-8 counts as a control character too unless the bytes read as Windows-1252 text.
"""

from __future__ import annotations

import codecs

SNIFF_BYTES = 8192
MAX_CONTROL_RATIO = 0.05
"""Real text, even with the odd escape sequence or stray byte, stays far below 5%; random
bytes are about 13% control characters."""
TEXT_SUFFIXES = frozenset({"md", "markdown", "txt", "text", "log", "csv", "tsv", "json",
                           "jsonl", "ndjson", "xml", "rtf", "html", "htm", "xhtml"})
BINARY_CONTENT = "binary content, not indexed"

_ALLOWED_CONTROLS = frozenset(b"\t\n\r\f\b\x1b")
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def looks_binary(head: bytes) -> bool:
    """True when ``head`` (the start of a file) is not text in any encoding Hearth reads."""
    head = head[:SNIFF_BYTES]
    if not head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 0x20 and byte not in _ALLOWED_CONTROLS)
    controls += head.count(0x7F)
    if not _utf8_prefix(head):
        controls += sum(1 for byte in head if byte in _CP1252_UNDEFINED)
    return controls > MAX_CONTROL_RATIO * len(head)


def _utf8_prefix(head: bytes) -> bool:
    """Valid UTF-8, allowing a character cut off at the end of the sniffed bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True
