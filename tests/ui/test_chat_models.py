"""The desktop and the model (issue 12): the chat shows which model answered, choosing another
default chat model in Settings applies to the next message without a restart, and Stop ends
only the answer (the conversation goes on). The LLM turn is the engine's own (LlmChat) on
scripted local models."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.paths import AppPaths
from app.settings import Settings, load_settings
from engine.api import Engine
from tests.engine.llm.llmfakes import FakeChatModel, FakeLocalModels
from tests.ui.conftest import LoopRunner, until
from ui.shell import Desktop


@pytest.fixture
def desktop(aloop: LoopRunner, engine: Engine, hearth_home: Path, qapp: object
            ) -> Iterator[Desktop]:
    package = engine.new_bot("helper", "starter")
    (package.dialog_dir / "start.bas").unlink()  # every message goes to the model
    small = FakeChatModel("Hello from small.", "Again from small.", name="small-model")
    large = FakeChatModel("Hello from large.", name="large-model")
    engine.llm = FakeLocalModels("small-model", **{"small-model": small,  # type: ignore[assignment]
                                                  "large-model": large})
    paths = AppPaths(hearth_home).ensure_dirs()

    async def opened() -> Desktop:
        shell = await Desktop.open(engine, paths, Settings.defaults(paths), qapp)  # type: ignore[arg-type]
        await until(lambda: shell.chat.session_id and not shell.chat.busy)
        await shell.chat.tasks.wait_idle()
        if shell.chat.bot != "helper":
            await shell.chat.open_bot("helper")
            await until(lambda: shell.chat.session_id and not shell.chat.busy)
        return shell

    shell = aloop.run(opened())
    yield shell
    aloop.run(shell.aclose())
    shell.window.close()


def ask(aloop: LoopRunner, desktop: Desktop, text: str) -> None:
    async def turn() -> None:
        await desktop.chat.say(text)
        await until(lambda: not desktop.chat.busy, what="the answer")

    aloop.run(turn())


def test_the_chat_shows_the_model_and_settings_switch_it_live(
        aloop: LoopRunner, desktop: Desktop, hearth_home: Path) -> None:
    label = desktop.chat_view.model
    assert label.isHidden()
    ask(aloop, desktop, "hello")
    assert desktop.chat.transcript.entries[-1].text.strip() == "Hello from small."
    assert label.text() == "Answered by small-model" and not label.isHidden()

    desktop.settings.set_default_chat_model("large-model")
    assert desktop.engine.chat_model == "large-model"  # no restart
    assert load_settings(AppPaths(hearth_home)).models.chat == "large-model"
    ask(aloop, desktop, "hello again")
    assert desktop.chat.transcript.entries[-1].text.strip() == "Hello from large."
    assert label.text() == "Answered by large-model"


def test_stop_ends_the_answer_not_the_conversation(aloop: LoopRunner,
                                                    desktop: Desktop) -> None:
    endless = FakeChatModel(endless=True, delay=0.02, name="small-model")
    desktop.engine.llm = FakeLocalModels("small-model",  # type: ignore[assignment]
                                         **{"small-model": endless})
    chat = desktop.chat
    session = chat.session_id

    async def stopped() -> None:
        chat.send("tell me a long story")
        await until(lambda: chat.transcript.streaming_row() is not None, what="streaming")
        chat.stop()
        await until(lambda: not chat.busy, what="the turn to finish")

    aloop.run(stopped())
    assert chat.transcript.entries[-1].text == "Stopped."
    assert endless.stopped == 1
    endless.endless = False
    endless.scripts = ["Here is a short one."]
    ask(aloop, desktop, "a short one then")
    assert chat.session_id == session  # the same conversation goes on
    assert chat.transcript.entries[-1].text.strip() == "Here is a short one."


def test_add_model_file_imports_a_gguf_and_lists_it(aloop: LoopRunner, hearth_home: Path,
                                                    tmp_path: Path) -> None:
    from engine.llm.models import ModelManager
    from tests.engine.llm.realmodels import SMOLLM2, model_path
    from ui.controllers.models import ModelsController

    own = tmp_path / "Tiny Chat.gguf"
    shutil.copyfile(model_path(SMOLLM2), own)
    controller = ModelsController(ModelManager(hearth_home / "models"))
    notices: list[str] = []
    errors: list[str] = []
    controller.notice.connect(notices.append)
    controller.error.connect(errors.append)

    async def scenario() -> None:
        await controller.refresh()
        controller.add_file(own)
        await controller.tasks.wait_idle()

    aloop.run(scenario())
    assert errors == [] and notices == [
        "Tiny Chat.gguf was added: choose it as the default chat model below."]
    row = next(r for r in controller.table.rows if r.name == "tiny-chat")
    assert (row.state, row.role, row.fits) == ("installed", "chat", True)
    assert "tiny-chat" in controller.chat_models()
    assert controller.table.cell(controller.table.rows.index(row), 5) == "fits"
