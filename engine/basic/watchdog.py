"""The time limit inside one statement (BASIC.md §12.6).

The VM reads the clock between statements, so one statement that runs for minutes (comparing
two arrays that share a million-element array a million times, a service call that never
answers) would only be stopped after it ends. A single daemon thread looks at the runs in
progress a few times a second; when a run is past ``basic-max-seconds`` by more than a grace
period and is not pausing (WAIT, a debugger breakpoint), it raises :class:`Overtime` in the
run's thread (``PyThreadState_SetAsyncExc``), which the VM turns into ``LimitExceeded``.

The exception arrives at the next Python instruction of that thread: pure-Python work is cut
short at once, a C call (a big multiplication, a regex) first returns, which the size limits
keep short. It is raised at most once per watch, and :meth:`Watchdog.release` withdraws it
if it is still pending, so it never escapes the VM.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import Final

_POLL: Final = 0.1  # seconds between two looks at the runs in progress
GRACE: Final = 0.5  # seconds past the limit before a statement is cut short


class Overtime(BaseException):  # not an error of the script: a signal to the VM
    """Raised in a run's thread by the watchdog; only the VM catches it."""


class Watch:
    """One run in progress on one thread; ``overdue`` says whether its time is up."""

    __slots__ = ("fired", "overdue", "thread")

    def __init__(self, overdue: Callable[[], bool]) -> None:
        self.thread = threading.get_ident()
        self.overdue = overdue
        self.fired = False


class Watchdog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: set[Watch] = set()
        self._busy = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    def watch(self, token: Watch) -> None:
        """Watch the run on the calling thread until :meth:`release`. Call it inside the
        ``try`` that catches Overtime: the run may be overdue already."""
        with self._lock:
            self._runs.add(token)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="basic-watchdog",
                                                daemon=True)
                self._thread.start()
            self._busy.notify()

    def release(self, token: Watch) -> None:
        """Stop watching; withdraw the Overtime if it was raised but not yet delivered.
        Safe to call twice (the VM calls it again when Overtime interrupted the first)."""
        with self._lock:
            self._runs.discard(token)
            if token.fired:
                _raise_in(token.thread, None)

    def _loop(self) -> None:
        while True:
            with self._lock:
                while not self._runs:
                    self._busy.wait()
                for token in self._runs:
                    if not token.fired and token.overdue():
                        token.fired = True
                        _raise_in(token.thread, Overtime)
                self._busy.wait(_POLL)


def _raise_in(thread: int, error: type[BaseException] | None) -> None:
    """Raise ``error`` in ``thread`` at its next Python instruction (None: withdraw it)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread),
                                               ctypes.py_object(error) if error else None)


WATCHDOG: Final = Watchdog()
