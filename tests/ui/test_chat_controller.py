"""ChatController on the real engine: the starter bot's menu, answers, history, sessions,
attachments, citations and streaming (through a deterministic chat handler)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.api import Engine, EngineConfig
from engine.bots.registry import CompiledBot
from engine.events import BotResponse, CitationDTO, MessageType, UserMessage
from engine.sessions.bridge import Emit
from engine.sessions.state import SessionState
from engine.sessions.store import ChatMessage
from tests.ui.conftest import LoopRunner, until
from ui.controllers.chat import ChatController


def texts(chat: ChatController) -> list[tuple[str, str]]:
    return [(e.role, e.text) for e in chat.transcript.entries]


def test_opening_the_starter_bot_shows_its_greeting_and_menu(aloop: LoopRunner,
                                                            engine: Engine) -> None:
    chat = ChatController(engine)

    async def scenario() -> None:
        await chat.load()
        await until(lambda: chat.suggestions and not chat.busy, what="the menu")

    aloop.run(scenario())
    assert chat.bot == "starter"
    assert chat.transcript.entries[0].role == "bot"
    assert "I keep short notes" in chat.transcript.entries[0].text
    assert [s.text for s in chat.suggestions] == ["Take a note", "List my notes",
                                                  "Clear my notes", "Quit"]
    assert chat.bots.cell(0, 0) == "Starter"
    aloop.run(chat.close())


def test_a_suggestion_drives_the_dialog_and_history_reopens(aloop: LoopRunner,
                                                           engine: Engine) -> None:
    chat = ChatController(engine)

    async def scenario() -> str:
        await chat.load()
        await until(lambda: chat.suggestions and not chat.busy)
        take = next(s for s in chat.suggestions if s.text == "Take a note")
        await chat.say_choice(take)
        await until(lambda: not chat.busy)
        await chat.say("buy milk")
        await until(lambda: not chat.busy and any("Saved" in t for _, t in texts(chat)))
        return chat.session_id or ""

    session = aloop.run(scenario())
    assert ("user", "Take a note") in texts(chat)
    assert ("bot", "What should I write down?") in texts(chat)
    assert ("bot", "Saved. You have 1 note(s).") in texts(chat)
    assert chat.sessions.rows[0].id == session
    assert chat.sessions.cell(0, 0) == "Take a note"

    async def reopen() -> list[tuple[str, str]]:
        other = ChatController(engine)
        await other.load()
        await other.open_session(session)
        result = texts(other)
        await other.close()
        return result

    assert ("bot", "Saved. You have 1 note(s).") in aloop.run(reopen())
    aloop.run(chat.close())


def test_new_session_then_delete_it(aloop: LoopRunner, engine: Engine) -> None:
    chat = ChatController(engine)

    async def scenario() -> None:
        await chat.load()
        await until(lambda: not chat.busy)
        first = chat.session_id
        await chat.start_session()
        await until(lambda: not chat.busy and len(chat.sessions.rows) == 2)
        second = chat.session_id
        assert second != first
        await chat.remove_session(second or "")
        assert [s.id for s in chat.sessions.rows] == [first]
        assert chat.session_id == first

    aloop.run(scenario())
    aloop.run(chat.close())


def test_attachments_are_copied_into_the_bot_drive(aloop: LoopRunner, engine: Engine,
                                                  tmp_path: Path) -> None:
    document = tmp_path / "invoice.txt"
    document.write_text("total 42", encoding="utf-8")
    chat = ChatController(engine)

    async def scenario() -> None:
        await chat.load()
        await until(lambda: not chat.busy)
        await chat.send_attachments([document])
        await until(lambda: not chat.busy)

    aloop.run(scenario())
    drive = engine.bots.bot("starter").package.drive_dir
    assert (drive / "uploads" / "invoice.txt").read_text(encoding="utf-8") == "total 42"
    assert ("user", "📎 invoice.txt") in texts(chat)
    aloop.run(chat.close())


class StreamingHandler:
    """A deterministic chat handler: streams words, cites the KB file, then completes."""

    def __init__(self, words: list[str], delay: float = 0.0) -> None:
        self.words = words
        self.delay = delay

    async def answer(self, state: SessionState, bot: CompiledBot, message: UserMessage,
                     history: list[ChatMessage], emit: Emit) -> str | None:
        for word in self.words:
            await emit(BotResponse(state.id, word, is_complete=False))
            await asyncio.sleep(self.delay)
        text = "".join(self.words)
        citation = CitationDTO(1, "notes/guide.md", 2, "the tray")
        await emit(BotResponse(state.id, text, citations=(citation,)))
        return text


def streaming_engine(aloop: LoopRunner, config: EngineConfig, handler: StreamingHandler
                     ) -> Engine:
    engine = Engine(config, chat=handler)
    aloop.run(engine.open())
    package = engine.new_bot("helper", "starter")
    (package.dialog_dir / "start.bas").unlink()
    kb = package.root / "helper.gbkb" / "notes"
    kb.mkdir(parents=True)
    (kb / "guide.md").write_text("# Guide\nOpen the tray.", encoding="utf-8")
    return engine


def test_streamed_answer_with_a_citation_that_opens_the_file(aloop: LoopRunner,
                                                              engine_config: EngineConfig
                                                              ) -> None:
    engine = streaming_engine(aloop, engine_config, StreamingHandler(["Open ", "the ", "tray [1]"]))
    chat = ChatController(engine)
    opened = []
    chat.citation_opened.connect(opened.append)

    async def scenario() -> None:
        await chat.load("helper")
        await until(lambda: not chat.busy)
        await chat.say("the printer jams")
        await until(lambda: not chat.busy)

    aloop.run(scenario())
    last = chat.transcript.entries[-1]
    assert (last.role, last.text, last.streaming) == ("bot", "Open the tray [1]", False)
    assert "(cite:" in last.markdown(len(chat.transcript.entries) - 1)
    assert chat.sources.cell(0, 1) == "guide.md  p. 2"
    chat.open_citation(len(chat.transcript.entries) - 1, 1)
    assert opened and opened[0].path.name == "guide.md" and opened[0].page == 2
    aloop.run(chat.close())
    aloop.run(engine.aclose())


def test_stop_cancels_a_streaming_answer(aloop: LoopRunner, engine_config: EngineConfig) -> None:
    engine = streaming_engine(aloop, engine_config, StreamingHandler(["word "] * 200, 0.02))
    chat = ChatController(engine)

    async def scenario() -> None:
        await chat.load("helper")
        await until(lambda: not chat.busy)
        chat.send("tell me a long story")
        await until(lambda: chat.transcript.streaming_row() is not None, what="streaming")
        chat.stop()
        await until(lambda: not chat.busy, what="the turn to finish")

    aloop.run(scenario())
    entries = chat.transcript.entries
    assert entries[-1].text == "Stopped."
    assert 0 < entries[-2].text.count("word") < 200
    assert not entries[-2].streaming
    assert engine.cancel(chat.session_id or "") is False
    aloop.run(chat.close())
    aloop.run(engine.aclose())


def test_a_tool_suggestion_shows_a_tool_card(aloop: LoopRunner, engine: Engine) -> None:
    from engine.events import SuggestionDTO

    chat = ChatController(engine)

    async def scenario() -> None:
        await chat.load()
        await until(lambda: not chat.busy)
        await chat.say_choice(SuggestionDTO("Add a note", "tool", "add-note", tool="add-note"))
        await until(lambda: not chat.busy)

    aloop.run(scenario())
    tools = [e for e in chat.transcript.entries if e.role == "tool"]
    assert tools and tools[0].tool == "add-note" and tools[0].result is not None
    assert MessageType.TOOL == 6
    aloop.run(chat.close())
