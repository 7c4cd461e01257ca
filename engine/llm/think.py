"""Removing reasoning sections (``<think>…</think>``) from model output (BASIC.md §6).

:class:`ThinkFilter` works on a stream: a tag may be split across chunks, so text that could
be the start of a tag is held back until the next chunk decides. An unclosed section hides
everything after it, as :func:`strip_think` does for whole texts.
"""

from __future__ import annotations

import re

_OPEN, _CLOSE = "<think>", "</think>"
_SECTION = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)


def strip_think(text: str) -> str:
    """The text without its reasoning sections, trimmed."""
    return _SECTION.sub("", text).strip()


class ThinkFilter:
    """Feed chunks, get the visible part of each; :meth:`flush` at the end."""

    __slots__ = ("_held", "_inside", "_started")

    def __init__(self) -> None:
        self._held = ""
        self._inside = False
        self._started = False

    def feed(self, chunk: str) -> str:
        self._held += chunk
        visible: list[str] = []
        while self._held:
            tag = _CLOSE if self._inside else _OPEN
            at = self._held.lower().find(tag)
            if at >= 0:
                if not self._inside:
                    visible.append(self._held[:at])
                self._held = self._held[at + len(tag):]
                self._inside = not self._inside
                continue
            keep = _partial_suffix(self._held.lower(), tag)
            if not self._inside:
                visible.append(self._held[:len(self._held) - keep])
            self._held = self._held[len(self._held) - keep:] if keep else ""
            break
        return self._leading_trimmed("".join(visible))

    def flush(self) -> str:
        rest = "" if self._inside else self._held
        self._held = ""
        return self._leading_trimmed(rest)

    def _leading_trimmed(self, text: str) -> str:
        # The answer after a reasoning section usually starts with blank lines.
        if not self._started:
            text = text.lstrip()
            self._started = bool(text)
        return text


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0
