"""``hearth run FILE.bas``: run a dialog in the terminal (TALK prints, HEAR reads a line).

A script inside a ``NAME.gbai`` package runs as that bot (its config, drive and tables);
a loose script runs as a scratch bot whose drive and tables live under the Hearth home.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from app.paths import AppPaths
from engine.basic import values
from engine.basic.host import Suggestion
from engine.basic.program import Program
from engine.basic.query import TableDecl
from engine.basic.vm import VM, Outcome
from engine.bots.host import BotServices, SessionHost
from engine.bots.package import BotPackage
from engine.sessions.state import SessionState


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("run", help="run a dialog script in the terminal")
    parser.add_argument("file", type=Path)
    parser.add_argument("--input", type=Path, help="a file of answers, one per line")
    parser.add_argument("--arg", action="append", default=[], metavar="NAME=JSON",
                        help="a tool argument (repeatable)")
    parser.set_defaults(handler=run)


class TerminalOutput:
    """TALK on stdout; suggestions as numbered choices; logs and warnings on stderr."""

    def __init__(self, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> None:
        self.out = out
        self.err = err
        self.choices: list[Suggestion] = []

    def talk(self, text: str) -> None:
        self.choices = []
        print(text, file=self.out, flush=True)

    def suggest(self, suggestion: Suggestion) -> None:
        self.choices.append(suggestion)
        print(f"  {len(self.choices)}) {suggestion.label}", file=self.out, flush=True)

    def clear_suggestions(self, switchers: bool = False) -> None:
        self.choices = []

    def log(self, text: str) -> None:
        print(f"# {text}", file=self.err, flush=True)

    def warn(self, text: str) -> None:
        print(f"warning: {text}", file=self.err, flush=True)


def package_for(path: Path, paths: AppPaths) -> BotPackage:
    package = BotPackage.containing(path)
    if package is not None:
        return package
    root = paths.home / "scratch" / f"{path.stem}.gbai"
    return BotPackage(path.stem, root, scripts_dir=path.resolve().parent)


def answers(source: Path | None) -> Iterator[str]:
    if source is not None:
        yield from source.read_text(encoding="utf-8").splitlines()
        return
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return
        yield line.rstrip("\n")


def parse_args(items: list[str]) -> dict[str, object]:
    arguments: dict[str, object] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep:
            raise SystemExit(f"--arg needs NAME=JSON, got {item!r}")
        try:
            arguments[name.strip()] = values.from_json_text(raw)
        except Exception:
            arguments[name.strip()] = raw
    return arguments


def build_args(file: Path) -> argparse.Namespace:
    return argparse.Namespace(file=file, input=None, arg=[])


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    paths = AppPaths.from_env()
    package = package_for(path, paths)
    output = TerminalOutput()
    session = SessionState(id=f"cli-{uuid.uuid4().hex[:8]}", bot_name=package.name,
                           user_id="local", channel="api")
    services = BotServices(package, paths.bot_work_dir(package.name))
    host = services.host(session, output)
    try:
        program = _program(path, package, host)
        if program is None:
            return 1
        for table in _tables(host, program):
            host.data.declare_table(table)
        vm = VM(host)
        outcome = vm.start(program, parse_args(args.arg))
        replies = answers(args.input)
        while outcome.waiting:
            reply = next(replies, None)
            if reply is None:
                print("(the dialog is waiting for an answer; no more input)", file=sys.stderr)
                return 0
            output.choices = []  # a new question numbers its choices from 1
            outcome = vm.deliver(reply)
        return _finish(outcome)
    finally:
        services.close()


def _program(path: Path, package: BotPackage, host: SessionHost) -> Program | None:
    """The script to run: the package's compiled copy when the file is one of its scripts,
    else the file itself compiled on its own. None after printing why it cannot run."""
    own = package.script(path.stem)
    if own is not None and own.resolve() == path.resolve():
        program = host.scripts.load(path.stem)
        if program is not None:
            return program
    source = path.read_text(encoding="utf-8", errors="replace")
    from engine.basic.compiler import compile_source
    from engine.bots.host import compile_options

    compiled = compile_source(source, path.stem, compile_options(host.config))
    if compiled.ok:
        return compiled
    for diagnostic in compiled.errors:
        print(diagnostic.render(source, str(path)), file=sys.stderr)
    if not compiled.errors:
        print(f"{path}: the script cannot run", file=sys.stderr)
    return None


def _tables(host: SessionHost, program: Program) -> list[TableDecl]:
    """TABLE declarations are processed before any script runs: tables.bas first (§7.2)."""
    tables = host.scripts.load("tables")
    found = list(tables.module.tables) if tables is not None else []
    return found + list(program.module.tables)


def _finish(outcome: Outcome) -> int:
    if outcome.error is not None:
        print(f"error: {outcome.error}", file=sys.stderr)
        return 1
    if outcome.result is not None:
        print(values.json_text(outcome.result))
    return 0
