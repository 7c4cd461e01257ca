"""Checking scripts and the config of the packages they belong to (``hearth check`` and
``hearth import``).

A script inside a ``NAME.gbai`` package compiles with that bot's options: its ``param-*``
config rows are declared names, so ``--strict`` does not report them as unknown variables.
Each package's ``config.csv`` is checked once (docs/basic-compatibility.md K3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.diagnostics import Diagnostic
from engine.bots.configkeys import check_config
from engine.bots.host import compile_options
from engine.bots.package import BotPackage


@dataclass
class FileReport:
    """One checked file: its diagnostics as JSON objects, or why it could not be read."""

    file: str
    diagnostics: list[dict[str, object]] = field(default_factory=list)
    error: str | None = None
    rendered: list[str] = field(default_factory=list)  # text lines, with caret
    # False when the compiler itself rejects the script (it does not run at all); the errors
    # ``check`` adds for unknown functions leave it True: the script runs up to that call
    compiles: bool = True

    @property
    def errors(self) -> int:
        return (1 if self.error else 0) + sum(d["severity"] == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d["severity"] == "warning" for d in self.diagnostics)

    def to_json(self) -> dict[str, object]:
        if self.error is not None:
            return {"file": self.file, "error": self.error}
        return {"file": self.file, "diagnostics": self.diagnostics}


_PROCEDURE = re.compile(r"^[ \t]*(?:SUB|FUNCTION)[ \t]+(\w+)", re.IGNORECASE | re.MULTILINE)


def options_for(path: Path, strict: bool) -> CompileOptions:
    package = BotPackage.containing(path)
    if package is None:
        return CompileOptions(strict=strict)
    base = compile_options(package.config())
    return CompileOptions(strict=strict or base.strict, injected=base.injected,
                          bot_procedures=_other_procedures(package, path))


def _other_procedures(package: BotPackage, path: Path) -> frozenset[str]:
    """SUB/FUNCTION names of the package's other scripts (docs/basic-compatibility.md D3)."""
    names: set[str] = set()
    for script in package.scripts():
        if script.resolve() != path.resolve():
            text = script.read_text(encoding="utf-8", errors="replace")
            names.update(m.group(1).lower() for m in _PROCEDURE.finditer(text))
    return frozenset(names)


def _as_checked(diagnostic: Diagnostic) -> Diagnostic:
    """A call of an unknown function fails whenever its line runs: the compiler keeps it a
    warning so the script runs up to it (BASIC.md §12.7), ``check`` reports it as an error
    (docs/basic-compatibility.md D3)."""
    if diagnostic.kind == "NameError" and not diagnostic.is_error:
        return replace(diagnostic, severity="error")
    return diagnostic


def _read(path: Path, report: FileReport) -> str | None:
    """The file's UTF-8 text, or None with ``report.error`` saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        report.error = f"cannot read: {error}"
        return None


def check_script(path: Path, strict: bool, options: CompileOptions | None = None
                 ) -> FileReport:
    """Compile one script: with ``options``, else with its package's (see module doc)."""
    report = FileReport(str(path))
    source = _read(path, report)
    if source is None:
        return report
    program = compile_source(source, path.stem, options or options_for(path, strict))
    report.compiles = program.ok
    diagnostics = [_as_checked(d) for d in program.diagnostics]
    report.diagnostics = [d.to_json() for d in diagnostics]
    report.rendered = [d.render(source, str(path)) for d in diagnostics]
    return report


def check_config_file(path: Path) -> FileReport:
    report = FileReport(str(path))
    text = _read(path, report)
    if text is None:
        return report
    for warning in check_config(text):
        report.diagnostics.append({"severity": "warning", "kind": "Config",
                                   "message": warning.message, "line": warning.line,
                                   "col": 1, "width": 1})
        report.rendered.append(warning.render(str(path)))
    return report


def config_files(paths: list[Path], scripts: list[Path]) -> list[Path]:
    """The config.csv of every package named by ``paths`` or holding one of ``scripts``."""
    packages: dict[Path, BotPackage] = {}
    for path in [*paths, *scripts]:
        package = BotPackage.at(path) if path.name.lower().endswith(".gbai") and path.is_dir() \
            else BotPackage.containing(path)
        if package is not None:
            packages.setdefault(package.root.resolve(), package)
    found = [p.bot_dir / "config.csv" for p in packages.values()]
    return sorted(path for path in found if path.is_file())
