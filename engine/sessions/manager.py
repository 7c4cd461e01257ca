"""The session manager: opens sessions, routes each user message (ARCHITECTURE.md §3).

A message goes to the session's suspended HEAR when there is one (resumed from the database,
so it survives restarts), to a tool when a tool button was pressed, and otherwise to the
chat handler (the LLM turn). Messages of one session are handled one at a time; a new
message cancels an answer still streaming. BASIC runs execute on worker threads.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

from engine.basic import values
from engine.basic.instructions import Message
from engine.basic.program import Program
from engine.basic.validators import Attachment
from engine.basic.vm import VM, Outcome
from engine.bots.registry import BotRegistry, CompiledBot
from engine.events import (
    DialogWaiting,
    MessageType,
    ScriptLog,
    ToolExecution,
    TurnFinished,
    UserMessage,
)
from engine.sessions.bridge import Emit, RunOutput, response, run_in_thread
from engine.sessions.errors import SessionError, UnknownSession
from engine.sessions.state import SessionState
from engine.sessions.store import (
    ChatMessage,
    DialogRecord,
    SessionStore,
    SqlSessionStore,
    TurnBuffer,
)
from engine.sessions.toolbutton import tool_wrapper
from engine.sessions.turns import TurnLedger
from engine.storage.errors import StorageError

log = logging.getLogger(__name__)

FAILED_RUN = "Sorry, something went wrong while running this dialog."
NO_MODEL = ("I can only follow my dialogs right now: no language model is configured for "
            "this bot.")


class ChatHandler(Protocol):
    """Answers a message with the LLM (the chat turn of the Local AI layer)."""

    async def answer(self, state: SessionState, bot: CompiledBot, message: UserMessage,
                     history: list[ChatMessage], emit: Emit) -> str | None: ...


class SessionManager:
    def __init__(self, bots: BotRegistry, store: SessionStore, emit: Emit, *,
                 executor: ThreadPoolExecutor | None = None, chat: ChatHandler | None = None,
                 now: Callable[[], datetime] = datetime.now) -> None:
        self.bots = bots
        self.store = TurnBuffer(store) if isinstance(store, SqlSessionStore) else store
        self._emit = emit
        self.executor = executor or ThreadPoolExecutor(4, thread_name_prefix="basic")
        self.chat = chat
        self.now = now
        self._locks: dict[str, asyncio.Lock] = {}
        self.turns = TurnLedger(bots, self.store, self._flush)
        self._answers: dict[str, asyncio.Task[Any]] = {}

    # -- sessions ------------------------------------------------------------------------------
    async def open(self, bot: str, *, user_id: str | None = None, user_name: str | None = None,
                   user_email: str | None = None, channel: str = "web",
                   session_id: str | None = None, roles: list[str] | None = None
                   ) -> SessionState:
        """Resume ``session_id`` if it exists, else open a new session and run start.bas."""
        if session_id is not None:
            existing = await self.store.load_session(session_id)
            if existing is not None:
                return existing
        compiled = self.bots.bot(bot)
        state = SessionState(id=session_id or uuid.uuid4().hex, bot_name=bot, user_id=user_id,
                             user_name=user_name, user_email=user_email, channel=channel,
                             language=compiled.config.get("language", "en"),
                             started_at=self.now().replace(microsecond=0), role_names=roles)
        await self.store.save_session(state)
        async with self._lock(state.id), self.turns.turn(state):
            await self._start(state, compiled)
        await self._emit(TurnFinished(state.id))
        return state

    async def state(self, session_id: str) -> SessionState:
        state = await self.store.load_session(session_id)
        if state is None:
            raise UnknownSession(f"no session '{session_id}'")
        return state

    async def history(self, session_id: str, limit: int = 200) -> list[ChatMessage]:
        return await self.store.history(session_id, limit)

    async def reset(self, session_id: str) -> None:
        """Forget the suspended dialog, the suggestions and the model's context (a marker in
        the history: the LLM sees nothing before it), then run start.bas again."""
        from engine.sessions.chat import reset_marker

        self.cancel(session_id)  # an answer still streaming belongs to the old conversation
        state = await self.state(session_id)
        async with self._lock(session_id), self.turns.turn(state):
            await self.store.clear_dialog(session_id)
            await self.store.append_message(reset_marker(session_id, self.now()))
            state.clear_suggestions()
            await self._start(state, self.bots.bot(state.bot_name))
        await self._emit(TurnFinished(session_id))

    def cancel(self, session_id: str) -> bool:
        task = self._answers.pop(session_id, None)
        if task is not None and not task.done():
            task.cancel()
            return True
        return False

    # -- messages ------------------------------------------------------------------------------
    async def send(self, message: UserMessage) -> None:
        """Handle one user message; its effects arrive as events."""
        self.cancel(message.session_id)
        if message.message_type == MessageType.CANCEL:
            await self._emit(TurnFinished(message.session_id))
            return
        state = await self.state(message.session_id)
        error: str | None = None
        try:
            async with self._lock(state.id), self.turns.turn(state):
                try:
                    await self._route(state, message)
                except SessionError as failure:
                    error = failure.message
                except Exception as failure:  # a bug must not take the shell down with it
                    log.exception("session %s: the message could not be handled", state.id)
                    error = f"internal error ({type(failure).__name__}); see the log"
        except StorageError as failure:  # the turn was not saved: say so, then let callers see it
            await self._emit(TurnFinished(state.id, failure.message))
            raise
        await self._emit(TurnFinished(state.id, error))

    async def _route(self, state: SessionState, message: UserMessage) -> None:
        compiled = self.bots.bot(state.bot_name)
        if message.context_name:
            state.activate_context(message.context_name)
        if message.form is not None:  # ON FORM SUBMIT handlers (docs/basic-compatibility.md)
            from engine.sessions.forms import submit_form

            await submit_form(self, state, compiled, message.form)
            return
        if message.message_type == MessageType.TOOL:
            await self._record(state, "user", message.content, message.message_type)
            await self.run_tool_button(state, compiled, message.content.strip(), {})
            return
        if await self._resume(state, compiled, message):
            return
        if not message.content.strip() and not message.attachments:
            await self._start(state, compiled)
            return
        await self._record(state, "user", message.content, message.message_type)
        await self._answer(state, compiled, message)

    async def _answer(self, state: SessionState, compiled: CompiledBot,
                      message: UserMessage) -> None:
        if self.chat is None:
            await self._say(state, NO_MODEL)
            return
        history = await self.store.history(state.id)
        task = asyncio.ensure_future(self.chat.answer(state, compiled, message, history,
                                                      self._emit))
        self._answers[state.id] = task
        try:
            text = await task
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
            return
        finally:
            self._answers.pop(state.id, None)
        if text:
            await self._record(state, "bot", text, MessageType.BOT)

    # -- BASIC runs ------------------------------------------------------------------------------
    async def _start(self, state: SessionState, compiled: CompiledBot) -> None:
        script = compiled.config.get("start-dialog", "start.bas")
        program = compiled.program(script)
        if program is None:
            from engine.sessions.startup import broken_start

            problem = broken_start(compiled, script)
            if problem is not None:  # show the errors, not a silent chat
                await self._say(state, problem)
                return
            welcome = compiled.config.get("welcome-message")
            if welcome:
                await self._say(state, welcome)
            return
        await self._run(state, program, lambda vm: vm.start(program))

    async def _resume(self, state: SessionState, compiled: CompiledBot,
                      message: UserMessage) -> bool:
        record = await self.store.load_dialog(state.id)
        if record is None:
            return False
        program = self._dialog_program(compiled, record)
        timeout = float(compiled.config.get("hear-timeout-secs", "0") or 0)
        expired = timeout > 0 and (self.now() - record.suspended_at).total_seconds() > timeout
        if program is None or expired:
            await self._discard(state, record, "timed out" if expired else "its script changed")
            return False
        await self._record(state, "user", message.content, message.message_type)
        answer = Message(message.content, tuple(_attachments(message)))
        restored: list[bool] = []

        def deliver(vm: VM) -> Outcome:
            if not vm.restore(record.snapshot, program):
                restored.append(False)
                return Outcome(False)
            return vm.deliver(answer)

        outcome = await self._run(state, program, deliver, record.source)
        if record.source is not None:
            await self._show_result(state, outcome)  # a tool button's generated dialog
        if restored:
            await self._discard(state, record, "its script changed")
            await self._answer(state, compiled, message)
        return True

    def _dialog_program(self, compiled: CompiledBot, record: DialogRecord) -> Program | None:
        if record.source is not None:
            from engine.basic.compiler import compile_source
            from engine.bots.host import compile_options

            program = compile_source(record.source, record.script, compile_options(compiled.config))
            return program if program.ok else None
        return compiled.program(record.script)

    async def _discard(self, state: SessionState, record: DialogRecord, why: str) -> None:
        await self.store.clear_dialog(state.id)
        await self._emit(ScriptLog(state.id, state.bot_name,
                                   f"suspended run of {record.script} discarded: {why}", True))

    async def _run(self, state: SessionState, program: Program,
                   work: Callable[[VM], Outcome], source: str | None = None,
                   quiet: bool = False) -> Outcome:
        services = self.bots.services(state.bot_name)
        loop = asyncio.get_running_loop()
        output = RunOutput(loop, state, state.bot_name)
        host = services.host(state, output)

        def job() -> tuple[Outcome, dict[str, Any] | None]:
            services.acting_as(state.roles)
            vm = VM(host)
            outcome = work(vm)
            return outcome, (vm.snapshot() if outcome.waiting else None)

        result: tuple[Outcome, dict[str, Any] | None] = await run_in_thread(
            loop, self.executor, output, self._emit, job)
        outcome, snapshot = result
        for text in output.said:
            await self._record(state, "bot", text, MessageType.BOT)
        if snapshot is not None:
            record = DialogRecord(program.name, snapshot, self.now(), source)
            await self.store.save_dialog(state.id, record)
            await self._emit(DialogWaiting(state.id, tuple(output.options)))
        else:
            await self.store.clear_dialog(state.id)
        if outcome.error is not None:
            await self._emit(ScriptLog(state.id, state.bot_name, str(outcome.error), True))
            if not quiet:
                await self._say(state, FAILED_RUN)
        return outcome

    async def run_tool_call(self, state: SessionState, compiled: CompiledBot, name: str,
                            arguments: dict[str, Any]) -> str:
        """An LLM tool call: the tool's BASIC runs in this session; its result, or its
        error's kind and description, goes back to the model (§11.4), never to the user."""
        program = compiled.tools.get(name.lower().removesuffix(".bas"))
        if program is None:
            return f"NameError: unknown tool '{name}'"
        outcome = await self._run(state, program, lambda vm: vm.start(program, arguments),
                                  quiet=True)
        if outcome.waiting:
            return "The tool asked the user a question and is waiting for the answer."
        error = outcome.error
        if error is not None:
            return f"{getattr(error, 'kind', 'Error')}: {getattr(error, 'message', error)}"
        return "" if outcome.result is None else values.text(outcome.result)

    async def run_tool_button(self, state: SessionState, compiled: CompiledBot, tool: str,
                              arguments: dict[str, Any]) -> None:
        """A tool suggestion was pressed: run the tool without the LLM (BASIC.md §5.5)."""
        program = compiled.tools.get(tool.lower().removesuffix(".bas"))
        if program is None:
            await self._say(state, f"There is no tool named '{tool}'.")
            return
        await self._emit(ToolExecution(state.id, program.name, arguments))
        source = tool_wrapper(program, arguments)
        if source is not None:
            from engine.basic.compiler import compile_source
            from engine.bots.host import compile_options

            wrapper = compile_source(source, f"{program.name}-button",
                                     compile_options(compiled.config))
            outcome = await self._run(state, wrapper, lambda vm: vm.start(wrapper), source)
        else:
            outcome = await self._run(state, program, lambda vm: vm.start(program, arguments))
        await self._show_result(state, outcome)
        await self._emit(ToolExecution(state.id, program.name, arguments,
                                       values.text(outcome.result), finished=True))

    async def _show_result(self, state: SessionState, outcome: Outcome) -> None:
        """A tool run from a button shows a non-null result as a bot message (§11.4)."""
        if not outcome.waiting and outcome.error is None and outcome.result is not None:
            await self._say(state, values.text(outcome.result))

    # -- helpers -------------------------------------------------------------------------------
    async def _say(self, state: SessionState, text: str) -> None:
        await self._emit(response(state, text))
        await self._record(state, "bot", text, MessageType.BOT)

    async def _record(self, state: SessionState, role: str, content: str, kind: int) -> None:
        await self.store.append_message(ChatMessage(state.id, role, content, int(kind),
                                                    self.now()))

    async def _flush(self, session_id: str) -> None:
        flush = getattr(self.store, "flush", None)
        if flush is not None:
            await flush(session_id)

    async def recover(self) -> None:
        """At start: settle or undo the bot-table writes of turns a dead process left."""
        await self.turns.recover()

    def _lock(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    def close(self) -> None:
        for task in self._answers.values():
            task.cancel()
        self.executor.shutdown(wait=True, cancel_futures=True)


def _attachments(message: UserMessage) -> list[Attachment]:
    found = []
    for item in message.attachments:
        found.append(Attachment(str(item.get("name", "")), str(item.get("path", "")),
                                str(item.get("mime", "")), int(item.get("size", 0))))
    return found

