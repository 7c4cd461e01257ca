"""The registry of built-in functions (BASIC.md §10).

Every built-in, including the project's own, registers here with :func:`builtin`; the
compiler, the editor's highlighter and the docs read the same table. Names are stored upper
case with words joined by ``_`` (``GROUP_BY``); aliases share one entry.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from engine.basic.errors import BasicTypeError
from engine.basic.query import Value

if TYPE_CHECKING:
    from engine.basic.host import Host


class FunctionContext(Protocol):
    """What a built-in may use besides its arguments."""

    @property
    def host(self) -> Host: ...
    @property
    def locale(self) -> str:
        """The bot's ``locale`` config (default ``en``)."""
        ...
    @property
    def rng(self) -> random.Random: ...
    def now(self) -> datetime:
        """The engine clock (fixed in tests)."""
        ...


BuiltinFn = Callable[[FunctionContext, list[Value]], Value]


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str
    fn: BuiltinFn
    min_args: int
    max_args: int | None  # None: variadic

    def check_arity(self, count: int) -> None:
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            if self.max_args == self.min_args:
                expected = str(self.min_args)
            elif self.max_args is None:
                expected = f"at least {self.min_args}"
            else:
                expected = f"{self.min_args} to {self.max_args}"
            raise BasicTypeError(
                f"{self.name}() takes {expected} argument(s), got {count}"
            )


FUNCTIONS: dict[str, Builtin] = {}


def builtin(
    *names: str, min_args: int = 0, max_args: int | None = -1
) -> Callable[[BuiltinFn], BuiltinFn]:
    """Register ``fn`` under ``names`` (first is canonical). ``max_args=-1`` means = min_args."""

    def register(fn: BuiltinFn) -> BuiltinFn:
        upper = max_args if max_args != -1 else min_args
        entry = Builtin(names[0].upper(), fn, min_args, upper)
        for name in names:
            key = name.upper().replace(" ", "_")
            if key in FUNCTIONS:
                raise RuntimeError(f"built-in {key} registered twice")
            FUNCTIONS[key] = entry
        return fn

    return register


def lookup(name: str) -> Builtin | None:
    return FUNCTIONS.get(name.upper().replace(" ", "_"))
