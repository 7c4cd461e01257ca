"""Run limits (BASIC.md §12.6) read from a bot's config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_steps: int = 1_000_000
    max_seconds: float = 60.0
    max_output: int = 1_000_000
    max_depth: int = 100
    max_loop: int = 100_000
    max_wait: float = 60.0
    hear_attempts: int = 3

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> Limits:
        def number(key: str, default: float) -> float:
            raw = (config.get(key) or "").strip()
            try:
                return float(raw) if raw else default
            except ValueError:
                return default

        d = cls()
        return cls(
            max_steps=int(number("basic-max-steps", d.max_steps)),
            max_seconds=number("basic-max-seconds", d.max_seconds),
            max_output=int(number("basic-max-output", d.max_output)),
            max_depth=int(number("basic-max-depth", d.max_depth)),
            max_loop=int(number("basic-max-loop", d.max_loop)),
            max_wait=number("basic-max-wait", d.max_wait),
            hear_attempts=max(1, int(number("hear-max-attempts", d.hear_attempts))),
        )
