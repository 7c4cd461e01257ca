"""The installed bots: discovery, compile-time processing, templates and hot reload.

A bot is opened on first use: its scripts are compiled (diagnostics kept per file), its
TABLE declarations applied (``tables.bas`` first, BASIC.md §7.2) and its shared services
created. :meth:`BotRegistry.reload` recompiles a bot whose files changed; :meth:`watch`
does it automatically (watchfiles) and reports each change through a callback.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.basic.diagnostics import Diagnostic
from engine.basic.errors import ScriptError
from engine.basic.program import Program
from engine.bots.config import BotConfig
from engine.bots.errors import BotError, ConfigError, UnknownBot
from engine.bots.host import BotServices, compile_options
from engine.bots.package import BotPackage

log = logging.getLogger(__name__)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
ServicesFactory = Callable[[BotPackage, BotConfig], BotServices]


@dataclass
class CompiledBot:
    package: BotPackage
    config: BotConfig
    programs: dict[str, Program] = field(default_factory=dict)  # lower-case script name
    diagnostics: dict[str, list[Diagnostic]] = field(default_factory=dict)

    @property
    def tools(self) -> dict[str, Program]:
        """The tools by lower-case name: each tool file, then each procedure tool
        (docs/basic-compatibility.md P2) whose name no file tool or earlier one takes."""
        tools = {k: p for k, p in self.programs.items() if p.ok and p.is_tool}
        for _, program in sorted(self.programs.items()):
            if program.ok:
                for key, tool in program.proc_tools.items():
                    tools.setdefault(key, tool)
        return tools

    def program(self, name: str) -> Program | None:
        """A script by name, else a procedure tool (a suspended tool run resumes by it)."""
        key = name.lower().removesuffix(".bas")
        program = self.programs.get(key)
        if program is None:
            program = self.tools.get(key)
        return program if program is not None and program.ok else None


class BotRegistry:
    def __init__(self, bots_dir: Path, services: ServicesFactory,
                 templates_dir: Path | None = None) -> None:
        self.bots_dir = bots_dir
        self.templates_dir = templates_dir
        self._services_factory = services
        self._compiled: dict[str, CompiledBot] = {}
        self._services: dict[str, BotServices] = {}

    # -- discovery ---------------------------------------------------------------------------
    def names(self) -> list[str]:
        """The installed bots: ``NAME.gbai`` folders whose NAME is a valid bot name."""
        if not self.bots_dir.is_dir():
            return []
        return sorted(p.name[:-5] for p in self.bots_dir.iterdir()
                      if p.suffix.lower() == ".gbai" and _NAME.fullmatch(p.name[:-5])
                      and p.is_dir())

    def package(self, name: str) -> BotPackage:
        """The installed bot called ``name``; :class:`UnknownBot` for anything else.

        The name is looked up among the installed names, never joined into a path: a name
        holding ``/``, ``..`` or an encoded separator cannot reach a folder that is not an
        installed bot (such as a ``.gbai`` folder uploaded into a bot's drive).
        """
        if isinstance(name, str) and _NAME.fullmatch(name) and self.bots_dir.is_dir():
            for root in self.bots_dir.iterdir():
                if root.name[:-5] == name and root.suffix.lower() == ".gbai" and root.is_dir():
                    return BotPackage.at(root)
        shown = ", ".join(self.names()) or "none"
        raise UnknownBot(f"no bot named {str(name)[:80]!r} (installed: {shown})")

    def default_package(self) -> BotPackage | None:
        root = self.bots_dir / "default.gbai"
        return BotPackage.at(root) if root.is_dir() else None

    # -- compiled bots and services ------------------------------------------------------------
    def bot(self, name: str) -> CompiledBot:
        """The compiled installed bot ``name`` (:class:`UnknownBot` if there is none)."""
        if name not in self._compiled:
            package = self.package(name)
            self._compiled[package.name] = self._compile(package)
        return self._compiled[name]

    def services(self, name: str) -> BotServices:
        if name not in self._services:
            compiled = self.bot(name)
            services = self._services_factory(compiled.package, compiled.config)
            self._apply_tables(services, compiled)
            self._services[name] = services
        return self._services[name]

    def _compile(self, package: BotPackage) -> CompiledBot:
        """The bot's programs and the diagnostics of each file. Nothing inside the package
        makes this raise: an unreadable config or script, a script nested too deeply, a bad
        config value each become diagnostics, so one broken bot never breaks the others (or
        the listing of all bots)."""
        config, problems = self._config(package)
        compiled = CompiledBot(package, config)
        if problems:
            compiled.diagnostics[str(package.config_path)] = problems
        options = compile_options(config)
        from engine.basic.compiler import compile_source

        try:
            scripts = package.scripts()
        except OSError as error:
            compiled.diagnostics[str(package.dialog_dir)] = [_unreadable(error)]
            scripts = []
        for path in scripts:
            try:
                source = path.read_text(encoding="utf-8", errors="replace")
            except OSError as error:
                compiled.diagnostics[str(path)] = [_unreadable(error)]
                continue
            program = compile_source(source, path.stem, options)
            compiled.programs[path.stem.lower()] = program
            compiled.diagnostics[str(path)] = program.diagnostics
        return compiled

    def _config(self, package: BotPackage) -> tuple[BotConfig, list[Diagnostic]]:
        """The bot's config and the problems of its ``config.csv`` as diagnostics."""
        try:
            config = package.config(self.default_package())
            warnings = package.config_rows()[1]
        except ConfigError as error:
            return BotConfig({}, {"language": "en", "locale": "en"}), [
                Diagnostic("error", f"{error.message}; the defaults are used", 1, 1,
                           kind="ConfigError")]
        return config, [Diagnostic("warning", w.message, w.line, 1, kind="Warning")
                        for w in warnings]

    @staticmethod
    def _apply_tables(services: BotServices, compiled: CompiledBot) -> None:
        """Declare every TABLE (``tables.bas`` first). A declaration the database refuses,
        or a UNIQUE constraint existing rows break, becomes a warning on the TABLE line of
        its script: the bot runs on (docs/basic-compatibility.md T1)."""
        ordered = sorted(compiled.programs.items(), key=lambda kv: kv[0] != "tables")
        for _, program in ordered:
            if not program.ok:
                continue
            for table in program.module.tables:
                try:
                    services.tables.declare_table(table)
                    problems = services.tables.take_problems()
                except ScriptError as error:
                    problems = [f"TABLE {table.name} not declared: {error.message}"]
                for problem in problems:
                    log.warning("bot %s: %s", compiled.package.name, problem)
                    program.diagnostics.append(
                        Diagnostic("warning", problem, table.line, 1, kind="DataError"))

    def reload(self, name: str) -> CompiledBot:
        """Recompile a bot after its files changed; its services pick up new scripts."""
        compiled = self._compile(self.package(name))
        self._compiled[name] = compiled
        if name in self._services:
            self._apply_tables(self._services[name], compiled)
        return compiled

    # -- templates ---------------------------------------------------------------------------
    def templates(self) -> list[str]:
        if self.templates_dir is None or not self.templates_dir.is_dir():
            return []
        return sorted(p.name[:-5] for p in self.templates_dir.glob("*.gbai") if p.is_dir())

    def create(self, name: str, template: str = "starter") -> BotPackage:
        """A new bot ``name`` copied from a template, its sub-packages renamed to match."""
        if not _NAME.match(name):
            raise BotError(f"invalid bot name '{name}': use letters, digits, '-' and '_'")
        target = self.bots_dir / f"{name}.gbai"
        if target.exists():
            raise BotError(f"a bot named '{name}' already exists")
        if template not in self.templates():
            raise BotError(f"no template '{template}' (available: {', '.join(self.templates())})")
        assert self.templates_dir is not None
        source = self.templates_dir / f"{template}.gbai"
        shutil.copytree(source, target)
        for child in list(target.iterdir()):
            stem, _, extension = child.name.rpartition(".")
            if stem == template and extension.startswith("gb"):
                child.rename(target / f"{name}.{extension}")
        return BotPackage.at(target)

    # -- hot reload ----------------------------------------------------------------------------
    async def watch(self, changed: Callable[[str, CompiledBot], Awaitable[None]],
                    stop: asyncio.Event) -> None:
        """Recompile bots whose files change until ``stop`` is set."""
        from watchfiles import awatch

        self.bots_dir.mkdir(parents=True, exist_ok=True)
        async for changes in awatch(self.bots_dir, stop_event=stop, debounce=300):
            for bot in sorted(self._bots_in(changes)):
                if bot in self.names():
                    await changed(bot, self.reload(bot))

    def _bots_in(self, changes: Any) -> set[str]:
        bots: set[str] = set()
        for _, raw in changes:
            try:
                relative = Path(raw).resolve().relative_to(self.bots_dir.resolve())
            except ValueError:
                continue
            top = relative.parts[0] if relative.parts else ""
            if top.lower().endswith(".gbai"):
                bots.add(top[:-5])
        return bots

    def close(self) -> None:
        for services in self._services.values():
            services.close()
        self._services.clear()


def _unreadable(error: OSError) -> Diagnostic:
    return Diagnostic("error", f"cannot read the file: {error.strerror or error}", 1, 1,
                      kind="FileError")
