"""Errors of the BASIC runtime (BASIC.md §12.7).

::

    EngineError
    └── BasicError
        ├── ScriptError            a run-time error a script can trap with ON ERROR
        │   ├── BasicNameError         NameError        35
        │   ├── BasicTypeError         TypeError        13
        │   ├── BasicValueError        ValueError        5
        │   ├── BasicIndexError        IndexError        9
        │   ├── DivisionByZero                          11
        │   ├── FileError                               53
        │   ├── BasicPermissionError   PermissionError  70
        │   ├── HttpError                             1001
        │   ├── DataError                             1002
        │   ├── ServiceError                          1003
        │   ├── BasicTimeoutError      TimeoutError   1004
        │   └── UserError                             1000
        ├── LimitExceeded          never trappable
        └── CompileError           the file has SyntaxError diagnostics; it never runs

Host services raise the ``ScriptError`` subclass that matches the failure; the VM adds the
line number. Python names are prefixed where the BASIC kind shadows a builtin exception.
"""

from __future__ import annotations

from typing import ClassVar

from engine.errors import EngineError


class BasicError(EngineError):
    """Root of the BASIC layer."""


class ScriptError(BasicError):
    """A run-time error raised while a script runs. ``kind`` is the BASIC kind name."""

    kind: ClassVar[str] = "Error"
    number: ClassVar[int] = 0

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line

    def render(self) -> str:
        """``Kind: line N: message`` (BASIC.md §12.7)."""
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{self.kind}: {where}{self.message}"

    def __str__(self) -> str:
        return self.render()


class BasicNameError(ScriptError):
    kind = "NameError"
    number = 35


class BasicTypeError(ScriptError):
    kind = "TypeError"
    number = 13


class BasicValueError(ScriptError):
    kind = "ValueError"
    number = 5


class BasicIndexError(ScriptError):
    kind = "IndexError"
    number = 9


class DivisionByZero(ScriptError):
    kind = "DivisionByZero"
    number = 11


class FileError(ScriptError):
    kind = "FileError"
    number = 53


class BasicPermissionError(ScriptError):
    kind = "PermissionError"
    number = 70


class HttpError(ScriptError):
    kind = "HttpError"
    number = 1001


class DataError(ScriptError):
    kind = "DataError"
    number = 1002


class ServiceError(ScriptError):
    kind = "ServiceError"
    number = 1003


class BasicTimeoutError(ServiceError):
    """A service (LLM, KB, HTTP) did not answer within its own timeout: a ServiceError whose
    BASIC kind stays ``TimeoutError`` (1004, BASIC.md §12.1); ON ERROR catches it."""

    kind = "TimeoutError"
    number = 1004


class UserError(ScriptError):
    kind = "UserError"
    number = 1000


class LimitExceeded(BasicError):
    """A run exceeded a limit of BASIC.md §12.6. ``ON ERROR`` never traps it."""

    kind: ClassVar[str] = "LimitExceeded"

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{self.kind}: {where}{self.message}"


class CompileError(BasicError):
    """Raised when asked to run a program whose compilation reported errors."""

    def __init__(self, message: str, rendered: str) -> None:
        super().__init__(message)
        self.rendered = rendered


def not_available(service: str) -> ServiceError:
    """The error every keyword raises when its host service is missing."""
    return ServiceError(f"{service} is not available in this host")
