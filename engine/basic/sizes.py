"""Size limits of BASIC values (BASIC.md §12.6): the longest string, the most elements of one
array or map and the most digits of one integer that a single operation may produce.

Steps and time bound how long a run takes only between statements; one statement that
doubles a string or squares an integer can otherwise take minutes and gigabytes before the
next check. The operations that can grow a value check their result here (or, better, the
size they are about to produce) and raise :class:`LimitExceeded` naming the limit and the
config key that raises it.

The limits of the run in progress live in a context variable that the VM sets around its
loop, so value operators, which have no VM at hand, still see the bot's configuration.
Outside a run the defaults apply.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final

from engine.basic.errors import LimitExceeded

_BITS_PER_DIGIT: Final = math.log2(10)
# Below this magnitude an integer is never checked further: the fast paths of the VM compare
# against it before calling in here, so ordinary arithmetic pays one comparison.
SMALL_INT: Final = 1 << 4096
# Strings and containers at most this long are never checked further (same reason).
SMALL_SIZE: Final = 1 << 16
# So the limits cannot be set below these (a lower setting is refused and the default used):
# they bound runaway growth, they are not quotas for small values.
MIN_LENGTH: Final = SMALL_SIZE  # for basic-max-string and basic-max-items
MIN_DIGITS: Final = math.ceil(4096 / _BITS_PER_DIGIT) + 1  # 1,235: SMALL_INT has 4,097 bits


@dataclass(frozen=True, slots=True)
class SizeLimits:
    max_string: int = 10_000_000  # characters of one string (basic-max-string)
    max_items: int = 1_000_000  # elements of one array or map (basic-max-items)
    max_digits: int = 100_000  # decimal digits of one integer (basic-max-digits)

    @property
    def max_bits(self) -> int:
        """The bit length of the largest integer with at most ``max_digits`` digits."""
        return math.ceil(self.max_digits * _BITS_PER_DIGIT)


DEFAULT: Final = SizeLimits()
_current: ContextVar[SizeLimits] = ContextVar("basic_size_limits", default=DEFAULT)


def current() -> SizeLimits:
    """The limits of the run in progress on this thread (the defaults outside a run)."""
    return _current.get()


@contextmanager
def applied(limits: SizeLimits) -> Iterator[None]:
    """Make ``limits`` the current ones while the block runs."""
    token = _current.set(limits)
    try:
        yield
    finally:
        _current.reset(token)


# --- the errors -------------------------------------------------------------------------------


def string_exceeded(limit: int) -> LimitExceeded:
    return LimitExceeded(f"string length limit ({limit:,} characters) exceeded; "
                         "set basic-max-string to raise it")


def items_exceeded(limit: int) -> LimitExceeded:
    return LimitExceeded(f"collection size limit ({limit:,} elements) exceeded; "
                         "set basic-max-items to raise it")


def digits_exceeded(limit: int) -> LimitExceeded:
    return LimitExceeded(f"integer size limit ({limit:,} digits) exceeded; "
                         "set basic-max-digits to raise it")


def memory_exceeded(line: int | None = None) -> LimitExceeded:
    """What a MemoryError inside a run becomes: the run ends, the process lives on."""
    return LimitExceeded("memory limit exceeded: the script needed more memory than is "
                         "available; lower basic-max-string or basic-max-items", line)


# --- checks -----------------------------------------------------------------------------------


def check_length(length: int) -> None:
    """Raise unless a string of ``length`` characters is allowed (call before building it)."""
    limit = _current.get().max_string
    if length > limit:
        raise string_exceeded(limit)


def check_count(count: int) -> None:
    """Raise unless an array or map of ``count`` elements is allowed."""
    limit = _current.get().max_items
    if count > limit:
        raise items_exceeded(limit)


def check_bits(bits: int) -> None:
    """Raise unless an integer of ``bits`` bits is allowed."""
    limits = _current.get()
    if bits > limits.max_bits:
        raise digits_exceeded(limits.max_digits)


def text(s: str) -> str:
    """``s`` itself when its length is allowed."""
    if len(s) > SMALL_SIZE:
        check_length(len(s))
    return s


def items(c: Sized) -> None:
    """Raise unless the array or map ``c`` has an allowed number of elements."""
    if len(c) > SMALL_SIZE:
        check_count(len(c))


def integer(n: int) -> int:
    """``n`` itself when its size is allowed."""
    if -SMALL_INT < n < SMALL_INT:
        return n
    check_bits(n.bit_length())
    return n


def digits(count: int) -> None:
    """Raise unless an integer written with ``count`` decimal digits is allowed."""
    limit = _current.get().max_digits
    if count > limit:
        raise digits_exceeded(limit)
