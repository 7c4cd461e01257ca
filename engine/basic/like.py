"""``LIKE`` matching (BASIC.md §3.7) in time linear in the text for the usual patterns.

``%`` and ``*`` match any run of characters, ``?`` one character, everything else itself,
ignoring case; a pattern without wildcards matches when it occurs anywhere. A regular
expression with one ``.*`` per star backtracks: ``"%a%a%a%a%b"`` against a long run of
``a`` took minutes. Here the pattern is cut at its stars into fixed-length segments; the
first must match at the start, the last at the end, and each one in between at its leftmost
place after the previous one (leftmost is never worse, so nothing is retried). Literal
segments are found with ``str.find`` (linear). A segment with ``?`` is a regular expression
without repetition, so a search costs at most its length times the text's; the characters
compared are budgeted at a fixed multiple of the text's and pattern's length: a short
segment is searched in one call, a long one through its longest literal piece and checked in
place, and a pattern that would pass the budget (``"%a?a?a?…b"`` against ``"aaaa…"``) raises
:class:`LimitExceeded` instead of running for minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from engine.basic.errors import LimitExceeded

_STARS: Final = re.compile(r"[%*]+")
_CACHED_PATTERN: Final = 1000  # longer patterns are rare; compiling them again is cheap
_CHECKS_PER_CHARACTER: Final = 50  # characters compared per character of text and pattern
_MIN_CHECKS: Final = 1_000_000


class _Budget:
    """The characters one match may still compare in place (linear in the sizes)."""

    __slots__ = ("left",)

    def __init__(self, text: str, pattern: str) -> None:
        self.left = _CHECKS_PER_CHARACTER * (len(text) + len(pattern)) + _MIN_CHECKS

    def spend(self, checks: int) -> None:
        self.left -= checks
        if self.left < 0:
            raise LimitExceeded("LIKE pattern too complex for this text: it needs more than "
                                f"{_CHECKS_PER_CHARACTER} comparisons per character; "
                                "use fewer '?' wildcards between stars")


@dataclass(frozen=True, slots=True)
class _Segment:
    """A run of the pattern without stars: its length and its literal pieces by offset."""

    size: int
    pieces: tuple[tuple[int, str], ...]  # (offset, text) of the runs between '?'
    anchor: tuple[int, str]  # the longest piece: searched for first
    regex: re.Pattern[str]  # the whole segment, '?' as '.': no repetition, so no backtracking

    @classmethod
    def of(cls, text: str) -> _Segment:
        pieces: list[tuple[int, str]] = []
        offset = 0
        for part in text.split("?"):
            if part:
                pieces.append((offset, part))
            offset += len(part) + 1
        anchor = max(pieces, key=lambda p: len(p[1]), default=(0, ""))
        regex = re.compile(".".join(re.escape(part) for part in text.split("?")), re.DOTALL)
        return cls(len(text), tuple(pieces), anchor, regex)

    def matches_at(self, s: str, i: int) -> bool:
        return self.regex.match(s, i) is not None

    def find(self, s: str, start: int, end: int, budget: _Budget) -> int:
        """The leftmost ``i`` with ``start <= i`` and ``i + size <= end`` matching, or -1."""
        last = end - self.size
        if last < start:
            return -1
        offset, piece = self.anchor
        if not piece:  # only '?': any place with room
            return start
        worst = self.size * (end - start)
        if worst <= budget.left:  # a search in C, its worst case paid for in advance
            budget.spend(worst)
            found = self.regex.search(s, start, end)
            return -1 if found is None else found.start()
        while start <= last:
            j = s.find(piece, start + offset, last + offset + len(piece))
            if j < 0:
                return -1
            i = j - offset
            budget.spend(self.size)
            if self.matches_at(s, i):
                return i
            start = i + 1
        return -1


@dataclass(frozen=True, slots=True)
class _Pattern:
    contains: str | None  # no wildcard at all: a substring test
    segments: tuple[_Segment, ...]  # one segment: no star (a whole-text match)


def like(text: str, pattern: str) -> bool:
    """Whether ``text`` matches the LIKE ``pattern`` (case-insensitive)."""
    compiled = _compiled(pattern) if len(pattern) <= _CACHED_PATTERN else _compile(pattern)
    s = fold(text)
    if compiled.contains is not None:
        return compiled.contains in s
    segments = compiled.segments
    if len(segments) == 1:
        return len(s) == segments[0].size and segments[0].matches_at(s, 0)
    first, last = segments[0], segments[-1]
    end = len(s) - last.size
    if first.size > end or not first.matches_at(s, 0) or not last.matches_at(s, end):
        return False
    position = first.size
    budget = _Budget(s, pattern)
    for segment in segments[1:-1]:
        found = segment.find(s, position, end, budget)
        if found < 0:
            return False
        position = found + segment.size
    return True


def fold(s: str) -> str:
    """``s`` in lower case, one character for one (``?`` counts characters)."""
    lower = s.lower()
    if len(lower) == len(s):
        return lower
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> _Pattern:
    return _compile(pattern)


def _compile(pattern: str) -> _Pattern:
    p = fold(pattern)
    if not any(ch in "%*?" for ch in p):
        return _Pattern(p, ())
    return _Pattern(None, tuple(_Segment.of(part) for part in _STARS.split(p)))
