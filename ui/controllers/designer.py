"""The Bots view's logic: the package tree, open documents with live diagnostics, the problems
list, the tool schema preview, saving (the engine recompiles the bot), new bots from
templates, and hot reload when files change on disk (``BotDiagnostics`` events).

Compiling runs on a worker thread, debounced while the person types, so the editor never
waits for the compiler.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.api import BotInfo
from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.diagnostics import Diagnostic
from engine.basic.program import Program
from engine.bots.host import compile_options
from engine.bots.package import BotPackage
from engine.events import BotDiagnostics, Event
from ui.controllers.config_editor import ConfigEditorController
from ui.models.lists import bots_model, problems_model
from ui.models.package import PackageTreeModel
from ui.models.table import DtoTableModel
from ui.ports import DesignerPort
from ui.services.secrets import SecretStore
from ui.tasks import TaskSet

DEBOUNCE_SECONDS = 0.25
TEXT_SUFFIXES = {".bas", ".csv", ".md", ".txt", ".json", ".html", ".css", ".yaml", ".yml"}


@dataclass
class OpenDocument:
    path: Path
    text: str
    saved_text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    program: Program | None = None

    @property
    def modified(self) -> bool:
        return self.text != self.saved_text

    @property
    def is_script(self) -> bool:
        return self.path.suffix.lower() == ".bas"

    @property
    def is_config(self) -> bool:
        return self.path.name.lower() == "config.csv"


class DesignerController(QObject):
    error = Signal(str)
    notice = Signal(str)
    bot_changed = Signal(str)
    document_opened = Signal(object)  # OpenDocument
    document_reloaded = Signal(object)  # OpenDocument, its text changed on disk
    diagnostics_changed = Signal(object)  # OpenDocument
    modified_changed = Signal(object)  # OpenDocument
    schema_changed = Signal(str)  # JSON of the open tool, "" when it is not a tool

    def __init__(self, engine: DesignerPort, secrets: SecretStore | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.secrets = secrets or SecretStore()
        self.bots: DtoTableModel[BotInfo] = bots_model()
        self.tree = PackageTreeModel()
        self.problems: DtoTableModel[tuple[str, Diagnostic]] = problems_model()
        self.bot: str | None = None
        self.documents: dict[Path, OpenDocument] = {}
        self.current: Path | None = None
        self.tasks = TaskSet(self.error.emit)
        self._compiles: dict[Path, asyncio.Task[None]] = {}
        self._watch: asyncio.Task[None] | None = None

    # -- bots ----------------------------------------------------------------------------------
    def load(self, bot: str | None = None) -> None:
        infos = self.engine.list_bots()
        self.bots.set_rows(infos)
        names = [b.name for b in infos]
        if names:
            self.select_bot(bot if bot in names else names[0])

    def select_bot(self, name: str) -> None:
        self.bot = name
        self.documents.clear()
        self.current = None
        self.tree.load(self.package)
        self._refresh_problems()
        self.bot_changed.emit(name)
        start = self.package.script("start") if self.package else None
        if start is not None:
            self.open(start)

    @property
    def package(self) -> BotPackage | None:
        return self.engine.bots.bot(self.bot).package if self.bot else None

    def templates(self) -> list[tuple[str, str]]:
        """(name, description) of each template, from its config.csv."""
        found = []
        for name in self.engine.bots.templates():
            description = ""
            templates_dir = getattr(self.engine.bots, "templates_dir", None)
            if templates_dir is not None:
                rows = BotPackage.at(Path(templates_dir) / f"{name}.gbai").config_rows()[0]
                description = rows.get("bot-description", "")
            found.append((name, description))
        return found

    def new_bot(self, name: str, template: str) -> bool:
        try:
            self.engine.new_bot(name.strip(), template)
        except Exception as error:  # BotError carries the sentence to show
            self.error.emit(getattr(error, "message", str(error)))
            return False
        self.load(name.strip())
        self.notice.emit(f"Created “{name.strip()}” from the {template} template.")
        return True

    # -- documents -----------------------------------------------------------------------------
    def open(self, path: Path) -> OpenDocument | None:
        path = Path(path)
        if path in self.documents:
            self.current = path
            self._show_schema(self.documents[path])
            self.document_opened.emit(self.documents[path])
            return self.documents[path]
        if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES:
            return None
        text = path.read_text(encoding="utf-8", errors="replace")
        document = OpenDocument(path, text, text)
        self.documents[path] = document
        self.current = path
        if document.is_script:
            self._compile_sync(document)
        self.document_opened.emit(document)
        self._show_schema(document)
        return document

    def close(self, path: Path) -> None:
        self.documents.pop(path, None)
        if self.current == path:
            self.current = next(iter(self.documents), None)

    def edit(self, path: Path, text: str) -> None:
        document = self.documents.get(path)
        if document is None or document.text == text:
            return
        was_modified = document.modified
        document.text = text
        if document.modified != was_modified:
            self.modified_changed.emit(document)
        if document.is_script:
            self._schedule_compile(document)

    def save(self, path: Path | None = None) -> bool:
        target = path or self.current
        document = self.documents.get(target) if target is not None else None
        if document is None:
            return False
        document.path.write_text(document.text, encoding="utf-8")
        document.saved_text = document.text
        self.modified_changed.emit(document)
        if self.bot is not None:
            self.engine.bots.reload(self.bot)
            self.bots.set_rows(self.engine.list_bots())
            self._refresh_problems()
        return True

    def save_all(self) -> None:
        for path, document in list(self.documents.items()):
            if document.modified:
                self.save(path)

    def config_editor(self, document: OpenDocument) -> ConfigEditorController:
        """The table editor of a config.csv; saving it recompiles the bot."""
        editor = ConfigEditorController(document.path, self.bot or "", self.secrets)
        editor.saved.connect(lambda _: self._config_saved(document, editor))
        return editor

    def _config_saved(self, document: OpenDocument, editor: ConfigEditorController) -> None:
        document.text = document.saved_text = editor.model.text()
        if self.bot is not None:
            self.engine.bots.reload(self.bot)
            self.bots.set_rows(self.engine.list_bots())
        self.notice.emit("config.csv saved.")

    def schema_for(self, document: OpenDocument) -> str:
        program = document.program
        if program is None or not program.ok or not program.tools():
            return ""
        # a file declaring several tools (docs/basic-compatibility.md P2) shows them all
        shown = [tool.openai_tool() for tool in program.tools()]
        return json.dumps(shown[0] if len(shown) == 1 else shown, indent=2, ensure_ascii=False)

    # -- compiling -----------------------------------------------------------------------------
    def _options(self) -> CompileOptions | None:
        return compile_options(self.engine.bots.bot(self.bot).config) if self.bot else None

    def _compile_sync(self, document: OpenDocument) -> None:
        program = compile_source(document.text, document.path.stem, self._options())
        self._apply(document, program)

    def _schedule_compile(self, document: OpenDocument) -> None:
        running = self._compiles.pop(document.path, None)
        if running is not None:
            running.cancel()
        self._compiles[document.path] = self.tasks.spawn(self._compile_later(document))

    async def _compile_later(self, document: OpenDocument) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)
        text, options = document.text, self._options()
        loop = asyncio.get_running_loop()
        program = await loop.run_in_executor(None, compile_source, text, document.path.stem,
                                             options)
        if document.text == text:
            self._apply(document, program)

    async def compiled(self) -> None:
        """Wait for pending compiles (tests, and before a debug run)."""
        while self._compiles:
            _, task = self._compiles.popitem()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _apply(self, document: OpenDocument, program: Program) -> None:
        document.program = program
        document.diagnostics = list(program.diagnostics)
        self.diagnostics_changed.emit(document)
        self._refresh_problems()
        if document.path == self.current:
            self._show_schema(document)

    def _show_schema(self, document: OpenDocument) -> None:
        self.schema_changed.emit(self.schema_for(document) if document.is_script else "")

    def _refresh_problems(self) -> None:
        if self.bot is None:
            self.problems.set_rows([])
            return
        compiled = self.engine.bots.bot(self.bot)
        by_file: dict[Path, list[Diagnostic]] = {Path(f): list(ds)
                                                 for f, ds in compiled.diagnostics.items()}
        for path, document in self.documents.items():
            if document.is_script:
                by_file[path] = document.diagnostics
        rows = [(path.name, d) for path in sorted(by_file) for d in by_file[path]]
        self.problems.set_rows(rows)

    def problem_location(self, row: int) -> tuple[Path, int, int] | None:
        name, diagnostic = self.problems.row(row)
        package = self.package
        path = package.script(Path(name).stem) if package else None
        return (path, diagnostic.line, diagnostic.col) if path else None

    # -- hot reload ----------------------------------------------------------------------------
    def follow(self) -> None:
        if self._watch is None:
            self._watch = self.tasks.spawn(self._listen())

    async def _listen(self) -> None:
        async with self.engine.subscribe(None) as events:
            async for event in events:
                self.handle(event)

    def handle(self, event: Event) -> None:
        if isinstance(event, BotDiagnostics) and event.bot == self.bot:
            self.reloaded_from_disk()

    def reloaded_from_disk(self) -> None:
        """Files changed outside the editor: refresh the tree, problems and clean documents."""
        self.tree.load(self.package)
        self.bots.set_rows(self.engine.list_bots())
        for path, document in list(self.documents.items()):
            if not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if text != document.saved_text and not document.modified:
                document.text = document.saved_text = text
                if document.is_script:
                    self._compile_sync(document)
                self.document_reloaded.emit(document)
        self._refresh_problems()

    async def aclose(self) -> None:
        await self.tasks.aclose()
