"""What the built-in function tests share: a function context and the VM's calling way."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.basic.builtins import lookup

NOW = datetime(2026, 1, 15, 10, 30, 0)  # a Thursday, the conformance clock
TODAY = NOW.date()


@dataclass
class FakeContext:
    locale: str = "en"
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    clock: datetime = NOW
    host: Any = None

    def now(self) -> datetime:
        return self.clock


def call(name: str, *args: Any, ctx: FakeContext | None = None) -> Any:
    """Call a built-in the way the VM does: arity check, then the function."""
    entry = lookup(name)
    assert entry is not None, name
    entry.check_arity(len(args))
    return entry.fn(ctx or FakeContext(), list(args))
