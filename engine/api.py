"""``Engine``: the one facade the desktop, the server and the CLI call (ARCHITECTURE.md §1).

It owns the lifecycles: the database, the bots and their services, the session manager,
the scheduler, hot reload and the event bus, opened in that order and closed in reverse.
Every event goes through the bus under the topic of its session (and under ``"*"``), so any
number of shells can follow a conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from engine.basic import values
from engine.basic.limits import config_number
from engine.basic.vm import VM
from engine.bots.config import BotConfig
from engine.bots.errors import BotError
from engine.bots.host import BotServices
from engine.bots.package import BotPackage
from engine.bots.registry import BotRegistry, CompiledBot
from engine.bots.scheduler import Scheduler
from engine.bridges import EventsBridge, SchedulerBridge
from engine.events import (
    BotDiagnostics,
    Event,
    JobFinished,
    MessageType,
    UserMessage,
    event_from_json,
)
from engine.kb.engine_service import EngineKnowledge, KbKeywordService
from engine.kb.knowledge import KnowledgeBase
from engine.llm.cache import SemanticCache
from engine.llm.config import KeyringSecrets, LlmConfig
from engine.llm.factory import LlmProviders
from engine.llm.keywords import LlmKeywordService
from engine.llm.local import LocalModels
from engine.llm.metrics import LlmMetrics
from engine.media.service import EngineSpeech
from engine.sessions.bridge import RunOutput, run_in_thread
from engine.sessions.chat import LlmChat
from engine.sessions.manager import ChatHandler, SessionManager
from engine.sessions.state import SessionState
from engine.sessions.store import ChatMessage, SessionSummary, SqlSessionStore
from engine.storage.bus.local import LocalEventBus
from engine.storage.db.sqlite import SqliteDatabase

log = logging.getLogger(__name__)
ALL = "*"


@dataclass(frozen=True, slots=True)
class EngineConfig:
    home: Path
    bots_dir: Path
    work_dir: Path
    db_path: Path
    templates_dir: Path | None = None
    run_scheduler: bool = True
    watch_bots: bool = True
    models_dir: Path | None = None  # None: no local models (no LLM unless a bot names one)
    chat_model: str = "smollm2-135m-instruct"

    @classmethod
    def under(cls, home: Path, templates_dir: Path | None = None, **options: Any) -> EngineConfig:
        return cls(home, home / "bots", home / "work", home / "hearth.db", templates_dir,
                   **options)


@dataclass(frozen=True, slots=True)
class BotInfo:
    name: str
    title: str
    description: str
    scripts: int
    tools: tuple[str, ...]
    errors: int
    warnings: int


@dataclass
class JobResult:
    output: list[str] = field(default_factory=list)
    error: str | None = None


class Engine:
    def __init__(self, config: EngineConfig, chat: ChatHandler | None = None) -> None:
        self.config = config
        self.db = SqliteDatabase(config.db_path)
        self.bus = LocalEventBus()
        self.bots = BotRegistry(config.bots_dir, self._open_services, config.templates_dir)
        self.store = SqlSessionStore(self.db)
        self.sessions = SessionManager(self.bots, self.store, self.publish, chat=chat)
        self.scheduler = Scheduler(self.bots, self.db, self._run_scheduled)
        self.llm_metrics = LlmMetrics()
        self.llm = LocalModels(config.models_dir, config.chat_model)
        # looked up at each turn: the local default may change (set_chat_model)
        self.providers = LlmProviders(KeyringSecrets(), lambda name: self.llm.model(name))
        self.speech = EngineSpeech(config.models_dir)
        self.kb = EngineKnowledge(config.work_dir, config.models_dir,
                                  self.bots.package, lambda bot: self.bots.bot(bot).config)
        if chat is None:  # the default chat: the LLM turn (a shell may bring its own)
            self.sessions.chat = LlmChat(self.providers, self.sessions.run_tool_call,
                                         search=self.kb.passages, metrics=self.llm_metrics,
                                         cache_for=self._llm_cache,
                                         shortlist_for=self.kb.tool_shortlist)
        self._caches: dict[str, SemanticCache] = {}
        self._stop_watch = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    async def open(self) -> Engine:
        self._loop = asyncio.get_running_loop()
        for folder in (self.config.home, self.config.bots_dir, self.config.work_dir):
            folder.mkdir(parents=True, exist_ok=True)
        await self.db.open()
        await self.bus.open()
        await self.store.install()
        await self.scheduler.install()
        await self.sessions.recover()  # undo what turns killed mid-way wrote to bot tables
        if self.config.run_scheduler:
            self.scheduler.start()
        if self.config.watch_bots:
            self._tasks.append(asyncio.ensure_future(self.bots.watch(self._reloaded,
                                                                     self._stop_watch)))
        return self

    async def aclose(self) -> None:
        self._stop_watch.set()
        await self.scheduler.aclose()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.sessions.close()
        self.bots.close()
        for cache in self._caches.values():
            await cache.aclose()
        await self.kb.aclose()
        self.speech.close()
        await self.providers.aclose()
        await self.llm.aclose()
        await self.bus.close()
        await self.db.close()

    async def __aenter__(self) -> Engine:
        return await self.open()

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    def _open_services(self, package: BotPackage, config: BotConfig) -> BotServices:
        assert self._loop is not None, "the engine is not open"
        llm = LlmConfig.from_mapping(config)
        keywords = LlmKeywordService(lambda model: self.providers.get(config, model),
                                     loop=self._loop, metrics=self.llm_metrics,
                                     timeout=llm.timeout, temperature=llm.temperature,
                                     max_tokens=llm.max_tokens)
        kb = KbKeywordService(self._loop, self.kb, package.name,
                              config_number(config, "kb-timeout", 60.0, 0.001)) \
            if package.kb_dir.is_dir() else None
        services = BotServices(
            package, self.config.work_dir / package.name, config=config, llm=keywords, kb=kb,
            scheduler=SchedulerBridge(self._loop, self.scheduler, package.name),
            events=EventsBridge(self._loop, self._publish_bot_event, package.name))
        services.speech = self.speech.for_drive(services.drive)
        return services

    # -- events --------------------------------------------------------------------------------
    async def publish(self, event: Event) -> None:
        data = event.to_json()
        if event.session_id:
            await self.bus.publish(event.session_id, data)
        await self.bus.publish(ALL, data)

    @contextlib.asynccontextmanager
    async def subscribe(self, session_id: str | None = None
                        ) -> AsyncIterator[AsyncIterator[Event]]:
        """``async with engine.subscribe(sid) as events: async for e in events: …``"""
        async with self.bus.subscribe(session_id or ALL) as subscription:
            yield _typed(subscription)

    def set_chat_model(self, name: str) -> None:
        """Make ``name`` (an installed chat model) the local default from the next turn on,
        for every bot that does not name its own model: no restart (issue 12). The previous
        default's memory is freed once its work in progress is done."""
        previous, self.llm.default = self.llm.default, name
        if previous != name and self._loop is not None:
            loop = self._loop  # callers may be on another thread (a GUI, a test)
            loop.call_soon_threadsafe(
                lambda: self._tasks.append(loop.create_task(self.llm.unload(previous))))

    @property
    def chat_model(self) -> str:
        """The local default chat model's name."""
        return self.llm.default

    async def _llm_cache(self, bot: str, llm: LlmConfig) -> SemanticCache:
        """The bot's answer cache (``llm-cache``); semantic matching uses the KB embedder."""
        if bot not in self._caches:
            embedder = self.kb.embedder() if llm.cache_semantic else None
            cache = SemanticCache(self.config.work_dir / bot / "llm-cache", embedder,
                                  ttl=llm.cache_ttl, threshold=llm.cache_threshold,
                                  metrics=self.llm_metrics)
            await cache.__aenter__()
            self._caches[bot] = cache
        return self._caches[bot]

    async def knowledge(self, bot: str) -> KnowledgeBase | None:
        """The bot's knowledge base, its ``.gbkb`` folder indexed; None without a ``.gbkb``
        folder, or in an engine without models (no embedder to index with)."""
        if self.config.models_dir is None or not self.bots.package(bot).kb_dir.is_dir():
            return None
        return await self.kb.synced(bot)

    async def _reloaded(self, bot: str, compiled: CompiledBot) -> None:
        self.kb.changed(bot)
        for file, diagnostics in compiled.diagnostics.items():
            await self.publish(BotDiagnostics("", bot, file,
                                              tuple(d.to_json() for d in diagnostics)))

    # -- bots ----------------------------------------------------------------------------------
    def list_bots(self) -> list[BotInfo]:
        """Every installed bot; a broken one is listed with its errors (its problems are
        diagnostics of its files), and one that vanished meanwhile is left out."""
        infos = []
        for name in self.bots.names():
            try:
                compiled = self.bots.bot(name)
            except BotError:  # removed or renamed since names() listed it
                continue
            diagnostics = [d for ds in compiled.diagnostics.values() for d in ds]
            infos.append(BotInfo(
                name, compiled.config.get("bot-name", name),
                compiled.config.get("bot-description", ""), len(compiled.programs),
                tuple(sorted(compiled.tools)), sum(d.is_error for d in diagnostics),
                sum(not d.is_error for d in diagnostics)))
        return infos

    def new_bot(self, name: str, template: str = "starter") -> BotPackage:
        return self.bots.create(name, template)

    # -- sessions ------------------------------------------------------------------------------
    async def open_session(self, bot: str, **options: Any) -> SessionState:
        return await self.sessions.open(bot, **options)

    async def send(self, session_id: str, content: str,
                   message_type: MessageType = MessageType.USER, **extra: Any) -> None:
        await self.sessions.send(UserMessage(session_id, content, message_type, **extra))

    def cancel(self, session_id: str) -> bool:
        return self.sessions.cancel(session_id)

    async def history(self, session_id: str) -> list[ChatMessage]:
        return await self.sessions.history(session_id)

    async def list_sessions(self, bot: str | None = None,
                            user_id: str | None = None) -> list[SessionSummary]:
        return await self.store.list_sessions(bot, user_id)

    async def reset(self, session_id: str) -> None:
        await self.sessions.reset(session_id)

    # -- jobs and events of other scripts ------------------------------------------------------
    async def run_job(self, bot: str, script: str, key: str = "manual") -> JobResult:
        """Run a script with no user: its TALKs go to the run's output (§14.14)."""
        compiled = self.bots.bot(bot)
        program = compiled.program(script)
        run_id = f"job-{uuid.uuid4().hex[:12]}"
        if program is None:
            result = JobResult(error=f"unknown script '{script}'")
        else:
            result = await self._run_without_user(bot, run_id, lambda vm: vm.start(program))
        await self.publish(JobFinished(run_id, bot, script, tuple(result.output), result.error))
        return result

    async def _run_scheduled(self, bot: str, script: str, key: str) -> JobResult:
        return await self.run_job(bot, script, key)

    async def _publish_bot_event(self, bot: str, source: str, name: str, data: Any) -> None:
        """PUBLISH EVENT: the handlers of the bot's *other* scripts run in their own runs."""
        compiled = self.bots.bot(bot)
        for script, program in compiled.programs.items():
            if script == source or not program.ok:
                continue
            for handler in program.handlers.get(name.lower(), []):
                await self._run_without_user(
                    bot, f"event-{uuid.uuid4().hex[:12]}",
                    lambda vm, p=program, h=handler: vm.start_handler(
                        p, h, {"name": name, "data": data}))

    async def _run_without_user(self, bot: str, run_id: str, work: Any) -> JobResult:
        services = self.bots.services(bot)
        state = SessionState(id=run_id, bot_name=bot, user_id=None, channel="schedule",
                             started_at=datetime.now().replace(microsecond=0))
        loop = asyncio.get_running_loop()
        output = RunOutput(loop, state, bot)
        host = services.host(state, output)

        def job() -> Any:
            services.acting_as(None)
            return work(VM(host))

        outcome = await run_in_thread(loop, self.sessions.executor, output, self.publish, job)
        result = JobResult(list(output.said))
        if outcome.waiting:
            result.error = "the script waited for an answer, but a job has no user"
        elif outcome.error is not None:
            result.error = str(outcome.error)
        elif outcome.result is not None:
            result.output.append(values.text(outcome.result))
        return result


async def _typed(messages: AsyncIterable[Any]) -> AsyncIterator[Event]:
    async for data in messages:
        event = event_from_json(dict(data))
        if event is not None:
            yield event
