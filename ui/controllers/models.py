"""Settings → Models: the catalog with each model's installed state; pull and verify with
progress (bytes, percent, ETA); remove. The :class:`ModelManager` blocks, so every call runs
on a worker thread and its progress callbacks hop back to the GUI thread."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from engine.llm.fit import memory_fit, memory_needed
from engine.llm.usermodels import add_gguf
from ui.models.table import Column, DtoTableModel
from ui.tasks import TaskSet


class ModelStore(Protocol):
    """The slice of :class:`engine.llm.models.ModelManager` the view uses."""

    def list(self) -> list[Any]: ...
    def pull(self, name: str, progress: Any = None, *, force: bool = False) -> Path: ...
    def verify(self, name: str, progress: Any = None) -> Any: ...
    def remove(self, name: str) -> None: ...


@dataclass(frozen=True, slots=True)
class ModelRow:
    name: str
    role: str
    size: int
    licence: str
    state: str
    description: str
    default: bool
    activity: str = ""
    fits: bool = True  # fits this machine's available memory (engine.llm.fit)

    @classmethod
    def of(cls, status: Any) -> ModelRow:
        spec = status.spec
        return cls(spec.name, spec.role, spec.size, spec.licence, status.state,
                   spec.description, spec.default, fits=memory_fit(spec.size).fits)


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB" if size >= 1_000_000 else f"{size / 1000:,.0f} kB"


def progress_text(done: int, total: int, started: float) -> str:
    if total <= 0:
        return "working…"
    fraction = min(done / total, 1.0)
    elapsed = time.monotonic() - started
    eta = ""
    if fraction > 0.02 and elapsed > 1:
        eta = f" · about {max(elapsed / fraction - elapsed, 0):.0f} s left"
    return f"{fraction:.0%} · {megabytes(done)} of {megabytes(total)}{eta}"


def models_table() -> DtoTableModel[ModelRow]:
    return DtoTableModel([
        Column("Model", lambda r: r.name + ("  (default)" if r.default else ""),
               tooltip=lambda r: r.description),
        Column("Role", lambda r: r.role),
        Column("Size", lambda r: megabytes(r.size), right=True),
        Column("Licence", lambda r: r.licence),
        Column("State", lambda r: r.activity or r.state,
               tone=lambda r: "ok" if r.state == "installed" and not r.activity else (
                   "error" if r.state == "damaged" else ("muted" if not r.activity else None))),
        Column("Memory", lambda r: "fits" if r.fits else "too large",
               tooltip=lambda r: f"needs about {megabytes(memory_needed(r.size))} of memory",
               tone=lambda r: None if r.fits else "error"),
    ])


class ModelsController(QObject):
    error = Signal(str)
    notice = Signal(str)
    progress = Signal(str, int, int)  # model, done, total (for the progress bar)
    busy_changed = Signal(bool)

    def __init__(self, manager: ModelStore) -> None:
        super().__init__()
        self.manager = manager
        self.table = models_table()
        self.tasks = TaskSet(self.error.emit)
        self.running: str | None = None

    async def refresh(self) -> None:
        loop = asyncio.get_running_loop()
        statuses = await loop.run_in_executor(None, self.manager.list)
        self.table.set_rows([ModelRow.of(s) for s in statuses])

    def pull(self, name: str) -> None:
        self._start(name, "pulling", lambda cb: self.manager.pull(name, cb),
                    f"{name} is installed and verified.")

    def verify(self, name: str) -> None:
        self._start(name, "verifying", lambda cb: self.manager.verify(name, cb),
                    f"{name} passed verification.")

    def remove(self, name: str) -> None:
        self._start(name, "removing", lambda cb: self.manager.remove(name), f"{name} removed.")

    def add_file(self, path: Path) -> None:
        """Import the user's own GGUF file: checked by llama.cpp's loader, copied into the
        models folder with its sha256 recorded, then listed like any model."""
        manager: Any = self.manager  # the real ModelManager (the protocol is its view slice)
        self._start(path.name, "importing", lambda cb: add_gguf(manager, path, None, cb),
                    f"{path.name} was added: choose it as the default chat model below.")

    def _start(self, name: str, verb: str, work: Callable[[Any], object], done: str) -> None:
        if self.running is not None:
            self.error.emit(f"Wait for {self.running} to finish first.")
            return
        self.tasks.spawn(self.run_job(name, verb, work, done))

    async def run_job(self, name: str, verb: str, work: Callable[[Any], object],
                      done: str) -> None:
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        self.running = name
        self.busy_changed.emit(True)
        self._activity(name, verb + "…")

        def report(stage: str, count: int, total: int) -> None:
            loop.call_soon_threadsafe(self._progress, name, verb, count, total, started)

        try:
            await loop.run_in_executor(None, work, report)
        except Exception as error:
            self.error.emit(getattr(error, "message", None) or str(error))
        else:
            self.notice.emit(done)
        finally:
            self.running = None
            self.busy_changed.emit(False)
            await self.refresh()

    def _progress(self, name: str, verb: str, done: int, total: int, started: float) -> None:
        self._activity(name, f"{verb} {progress_text(done, total, started)}")
        self.progress.emit(name, done, total)

    def _activity(self, name: str, text: str) -> None:
        for index, row in enumerate(self.table.rows):
            if row.name == name:
                self.table.replace_row(index, replace(row, activity=text))

    def chat_models(self) -> list[str]:
        return [r.name for r in self.table.rows if r.role == "chat"]
