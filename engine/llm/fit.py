"""Whether a model fits this machine's memory (``hearth models list``, the desktop's list).

A GGUF model is mapped into memory whole and needs room for its context (the KV cache) and
llama.cpp's buffers on top: a model fits when ``size × MEMORY_FACTOR + OVERHEAD`` is at most
the memory available now (``psutil.virtual_memory().available``: free plus reclaimable cache,
what can be had without swapping).
"""

from __future__ import annotations

from dataclasses import dataclass

import psutil

MEMORY_FACTOR = 1.5
OVERHEAD = 256 << 20


@dataclass(frozen=True, slots=True)
class MemoryFit:
    needed: int  # bytes the model needs to run
    available: int  # bytes available on this machine now

    @property
    def fits(self) -> bool:
        return self.needed <= self.available


def memory_needed(size: int) -> int:
    """Bytes a model of ``size`` bytes needs to run."""
    return int(size * MEMORY_FACTOR) + OVERHEAD


def available_memory() -> int:
    return int(psutil.virtual_memory().available)


def memory_fit(size: int, available: int | None = None) -> MemoryFit:
    """How a model of ``size`` bytes fits ``available`` bytes (default: this machine now)."""
    return MemoryFit(memory_needed(size),
                     available_memory() if available is None else available)
