"""Render every main view of the desktop offscreen into docs/screenshots/*.png.

Runs the real app (engine, controllers, views) on a throw-away data folder with the starter
and helpdesk templates, drives each view the way a person would (a conversation, an edited
script with a problem, a paused debug run...) and saves ``window.grab()`` of each::

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.engine_factory import build_engine  # noqa: E402
from app.paths import AppPaths  # noqa: E402
from app.settings import Settings  # noqa: E402
from ui.services.secrets import MemoryKeyring  # noqa: E402
from ui.shell import Desktop  # noqa: E402
from ui.theme import apply_theme  # noqa: E402

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
SIZE = (1360, 820)


async def until(predicate: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited too long for {predicate}")
        await asyncio.sleep(0.02)


async def settle(seconds: float = 0.3) -> None:
    await asyncio.sleep(seconds)
    QApplication.processEvents()


def shoot(desktop: Desktop, name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    desktop.window.grab().save(str(path))
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path


async def chat_scene(desktop: Desktop) -> None:
    chat = desktop.chat
    desktop.window.show_section("chat")
    await desktop.chat.tasks.wait_idle()
    await chat.open_bot("starter")
    await until(lambda: chat.suggestions and not chat.busy)
    take = next(s for s in chat.suggestions if s.text == "Take a note")
    await chat.say_choice(take)
    await until(lambda: not chat.busy)
    await chat.say("Call the plumber about the **kitchen tap** before Friday")
    await until(lambda: not chat.busy)
    listing = next(s for s in chat.suggestions if s.text == "List my notes")
    await chat.say_choice(listing)
    await until(lambda: not chat.busy)
    await settle()
    shoot(desktop, "chat")


async def designer_scene(desktop: Desktop) -> None:
    designer, view = desktop.designer, desktop.bots_view
    desktop.window.show_section("bots")
    designer.select_bot("starter")
    path = designer.current
    assert path is not None
    editor = view.editors[path]
    text = designer.documents[path].text.replace("IF ISEMPTY(note) THEN",
                                                  "IF ISEMPTY(note THEN")
    editor.setPlainText(text)  # type: ignore[attr-defined]
    await designer.compiled()
    problem = designer.problems.rows[0][1] if designer.problems.rows else None
    if problem is not None:
        editor.jump_to(problem.line, problem.col)  # type: ignore[attr-defined]
    await settle()
    shoot(desktop, "bots-problems")
    editor.setPlainText(designer.documents[path].saved_text)  # type: ignore[attr-defined]
    await designer.compiled()
    editor.toggle_breakpoint(18)  # type: ignore[attr-defined]
    view.run_buttons["Run"].click()
    await until(lambda: desktop.debug.state == "waiting")
    desktop.debug.answer("List my notes")
    await until(lambda: desktop.debug.state == "paused")
    await settle()
    shoot(desktop, "bots-debugger")
    desktop.debug.stop()
    await until(lambda: desktop.debug.state == "finished")
    package = designer.package
    assert package is not None
    designer.open(package.dialog_dir / "add-note.bas")
    view.bottom.setCurrentWidget(view.schema)
    await settle()
    shoot(desktop, "bots-tool-schema")
    config = package.bot_dir / "config.csv"
    designer.open(config)
    table = view.editors[config].controller.model  # type: ignore[attr-defined]
    table.add_row("llm-modle", "qwen2.5-coder-0.5b-instruct")
    table.add_row("llm-key", "sk-live-1234")
    await settle()
    shoot(desktop, "bots-config")


async def knowledge_scene(desktop: Desktop) -> None:
    knowledge = desktop.knowledge
    if knowledge is None or desktop.knowledge_view is None:
        return
    desktop.designer.select_bot("helpdesk")
    desktop.window.show_section("knowledge")
    await until(lambda: knowledge.bot == "helpdesk" and knowledge.collections.rows)
    await knowledge.run_ingest()
    view = desktop.knowledge_view
    view.query.setText("the VPN keeps disconnecting")
    await knowledge.search(view.query.text(), "hybrid")
    await settle()
    shoot(desktop, "knowledge")


async def settings_scene(desktop: Desktop) -> None:
    desktop.settings.save_key("openai", "sk-demo-not-a-real-key")
    desktop.window.show_section("settings")
    view = desktop.settings_view
    if desktop.models is not None:
        view.tabs.setCurrentIndex(0)
        await settle()
        shoot(desktop, "settings-models")
    view.tabs.setCurrentIndex(view.tabs.count() - 3)
    await settle()
    shoot(desktop, "settings-keys")


async def dark_scene(desktop: Desktop) -> None:
    desktop.settings.set_theme("dark")
    desktop.window.show_section("chat")
    await settle()
    shoot(desktop, "chat-dark")
    desktop.settings.set_theme("light")


def install_embeddings(paths: AppPaths) -> None:
    """Copy an installed MiniLM (HEARTH_SCREENSHOT_MODELS or this user's data folder) so the
    Knowledge view has its real model; without one the view shows how to pull it."""
    for folder in (os.environ.get("HEARTH_SCREENSHOT_MODELS"), AppPaths.from_env().models_dir):
        source = Path(folder) / "all-minilm-l6-v2" if folder else None
        if source is not None and (source / "model.onnx").is_file():
            shutil.copytree(source, paths.models_dir / "all-minilm-l6-v2")
            return


async def main(app: QApplication) -> None:
    with tempfile.TemporaryDirectory(prefix="hearth-shots-") as home:
        paths = AppPaths(Path(home)).ensure_dirs()
        install_embeddings(paths)
        os.environ["HEARTH_HOME"] = home
        apply_theme(app, "light")
        async with build_engine(paths) as engine:
            engine.new_bot("starter", "starter")
            engine.new_bot("helpdesk", "helpdesk")
            desktop = await Desktop.open(engine, paths, Settings.defaults(paths), app)
            desktop.window.resize(*SIZE)
            desktop.window.show()
            try:
                for scene in (chat_scene, designer_scene, knowledge_scene, settings_scene,
                              dark_scene):
                    await scene(desktop)
            finally:
                await desktop.aclose()
                desktop.window.close()


def run() -> None:
    keyring.set_keyring(MemoryKeyring())
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    print(f"Rendering screenshots into {OUT}")
    with loop:
        loop.run_until_complete(main(app))


if __name__ == "__main__":
    run()
