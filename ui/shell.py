"""The desktop's composition root: controllers over the engine, views over the controllers,
sections in the main window. Only sections that work are added (UX.md)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.paths import AppPaths
from app.settings import Settings
from engine.api import Engine
from ui.controllers.chat import ChatController
from ui.controllers.debug import DebugController
from ui.controllers.designer import DesignerController
from ui.controllers.knowledge import KnowledgeController
from ui.controllers.models import ModelsController
from ui.controllers.settings import SettingsController
from ui.services import features
from ui.services.knowledge import minilm_factory
from ui.services.secrets import SecretStore
from ui.theme import apply_theme
from ui.views.bots import BotsView
from ui.views.chat import ChatView
from ui.views.knowledge import KnowledgeView
from ui.views.main_window import MainWindow, Section
from ui.views.settings import SettingsView


async def ensure_a_bot(engine: Engine) -> None:
    """First launch: install the starter bot so Chat has something to open."""
    if not engine.bots.names() and "starter" in engine.bots.templates():
        engine.new_bot("starter", "starter")


class Desktop:
    """Everything the window shows, and the order to close it in."""

    def __init__(self, engine: Engine, paths: AppPaths, settings: Settings,
                 app: QApplication, window: MainWindow | None = None) -> None:
        self.engine = engine
        self.paths = paths
        self.app = app
        self.secrets = SecretStore()
        self.chat = ChatController(engine)
        self.designer = DesignerController(engine, self.secrets)
        self.debug = DebugController(engine.bots)
        self.settings = SettingsController(paths, settings, self.secrets)
        manager = features.model_manager(paths.models_dir)
        self.models = ModelsController(manager) if manager is not None else None
        self.knowledge = KnowledgeController(engine, paths.work_dir,
                                             minilm_factory(paths.models_dir)) \
            if features.has_module("engine.kb.knowledge") else None
        self.chat_view = ChatView(self.chat)
        self.bots_view = BotsView(self.designer, self.debug)
        self.settings_view = SettingsView(self.settings, self.models)
        self.knowledge_view = KnowledgeView(self.knowledge, self.designer.bots) \
            if self.knowledge is not None else None
        self.window = window or MainWindow()
        self.window.set_sections(self._sections())
        self.settings.theme_changed.connect(self._theme)
        self.settings.chat_model_changed.connect(engine.set_chat_model)  # no restart needed
        self.designer.bots.modelReset.connect(self._bots_changed)

    def _sections(self) -> list[Section]:
        sections = [Section("chat", "Chat", "chat", self.chat_view),
                    Section("bots", "Bots", "bots", self.bots_view)]
        if self.knowledge_view is not None:
            sections.append(Section("knowledge", "Knowledge", "knowledge", self.knowledge_view,
                                    self._show_knowledge))
        sections.append(Section("settings", "Settings", "settings", self.settings_view,
                                self.settings_view.refresh))
        return sections

    def _show_knowledge(self) -> None:
        """Open the Knowledge view on the bot the designer shows (lazily: loads the model)."""
        knowledge, bot = self.knowledge, self.designer.bot
        if knowledge is not None and bot and (knowledge.bot != bot or knowledge.kb is None):
            assert self.knowledge_view is not None
            self.knowledge_view.select_bot(bot)
            knowledge.tasks.spawn(knowledge.open_bot(bot))

    @classmethod
    async def open(cls, engine: Engine, paths: AppPaths, settings: Settings,
                   app: QApplication, window: MainWindow | None = None) -> Desktop:
        await ensure_a_bot(engine)
        desktop = cls(engine, paths, settings, app, window)
        await desktop.start()
        return desktop

    async def start(self) -> None:
        self.designer.load()
        self.designer.follow()
        if self.models is not None:
            await self.models.refresh()
        self.chat.tasks.spawn(self.chat.load())

    def status(self, message: str) -> None:
        self.window.statusBar().showMessage(message)

    def _theme(self, name: str) -> None:
        apply_theme(self.app, "dark" if name == "dark" else "light")
        for view in (self.chat_view.transcript,):
            view.render_all()
        for editor in self.bots_view.editors.values():
            highlighter = getattr(editor, "highlighter", None)
            if highlighter is not None:
                highlighter.restyle()

    def _bots_changed(self) -> None:
        names = {b.name for b in self.designer.bots.rows}
        if names != {b.name for b in self.chat.bots.rows}:
            self.chat.bots.set_rows(self.designer.bots.rows)

    async def aclose(self) -> None:
        await self.chat.close()
        await self.debug.aclose()
        await self.designer.aclose()
        if self.models is not None:
            await self.models.tasks.aclose()
        if self.knowledge is not None:
            await self.knowledge.aclose()
