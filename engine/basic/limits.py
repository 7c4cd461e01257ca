"""Run limits (BASIC.md §12.6) read from a bot's config.

A value that is not a finite number of the right sign (``nan``, ``inf``, ``1e309``, ``-5``,
``lots``) leaves the limit at its default: a typo in ``config.csv`` never makes a run fail to
start (the bot's config check reports it, see :mod:`engine.bots.config_numbers`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from engine.basic import sizes
from engine.basic.sizes import SizeLimits


@dataclass(frozen=True, slots=True)
class Limits:
    max_steps: int = 1_000_000
    max_seconds: float = 60.0
    max_output: int = 1_000_000
    max_depth: int = 100
    max_loop: int = 100_000
    max_wait: float = 60.0
    hear_attempts: int = 3
    max_string: int = 10_000_000
    max_items: int = 1_000_000
    max_digits: int = 100_000

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> Limits:
        d = cls()

        def whole(key: str, default: int, least: int = 0) -> int:
            return int(config_number(config, key, default, least))

        return cls(
            max_steps=whole("basic-max-steps", d.max_steps),
            max_seconds=config_number(config, "basic-max-seconds", d.max_seconds),
            max_output=whole("basic-max-output", d.max_output),
            max_depth=whole("basic-max-depth", d.max_depth),
            max_loop=whole("basic-max-loop", d.max_loop),
            max_wait=config_number(config, "basic-max-wait", d.max_wait),
            hear_attempts=max(1, whole("hear-max-attempts", d.hear_attempts)),
            max_string=whole("basic-max-string", d.max_string, sizes.MIN_LENGTH),
            max_items=whole("basic-max-items", d.max_items, sizes.MIN_LENGTH),
            max_digits=whole("basic-max-digits", d.max_digits, sizes.MIN_DIGITS),
        )

    @property
    def sizes(self) -> SizeLimits:
        return SizeLimits(self.max_string, self.max_items, self.max_digits)


def config_number(config: Mapping[str, str], key: str, default: float,
                  least: float = 0) -> float:
    """The finite number at least ``least`` that ``config[key]`` holds, else ``default``."""
    raw = (config.get(key) or "").strip()
    try:
        number = float(raw) if raw else default
    except ValueError:
        return default
    return number if math.isfinite(number) and number >= least else default
