"""The whole window offscreen: sections, a chat turn through the real widgets, the designer's
editor squiggles and breakpoints, the theme switch; and how ``hearth`` picks desktop or
terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.commands import start
from app.paths import AppPaths
from app.settings import Settings
from engine.api import Engine
from tests.ui.conftest import LoopRunner, until
from ui.shell import Desktop
from ui.widgets.code_editor import CodeEditor
from ui.widgets.highlighter import BasicHighlighter


@pytest.fixture
def desktop(aloop: LoopRunner, engine: Engine, hearth_home: Path, qapp: object) -> Desktop:
    paths = AppPaths(hearth_home).ensure_dirs()

    async def opened() -> Desktop:
        shell = await Desktop.open(engine, paths, Settings.defaults(paths), qapp)  # type: ignore[arg-type]
        shell.window.resize(1200, 760)
        shell.window.show()
        await until(lambda: shell.chat.session_id and not shell.chat.busy)
        await shell.chat.tasks.wait_idle()
        return shell

    # Everything runs inside the loop: qasync runs callbacks only while its loop runs.
    shell = aloop.run(opened())
    yield shell
    aloop.run(shell.aclose())
    shell.window.close()


def test_the_rail_lists_only_working_sections(desktop: Desktop) -> None:
    keys = [s.key for s in desktop.window.sections]
    assert keys[:2] == ["chat", "bots"] and keys[-1] == "settings"
    assert "knowledge" in keys
    assert not {"drive", "mail", "calendar", "tasks", "analytics"} & set(keys)
    desktop.window.show_section("settings")
    assert desktop.window.current_section == "settings"


def test_a_turn_through_the_widgets(aloop: LoopRunner, desktop: Desktop, qtbot: object) -> None:
    view = desktop.chat_view

    async def scenario() -> None:
        await until(lambda: view.suggestions.buttons and not desktop.chat.busy)
        take = next(b for b in view.suggestions.buttons if b.text() == "Take a note")
        take.click()
        await until(lambda: not desktop.chat.busy and "What should I write down?" in
                    view.transcript.toPlainText())
        view.composer.setPlainText("water the plants")
        view.send_button.click()
        await until(lambda: "Saved." in view.transcript.toPlainText())

    aloop.run(scenario())
    text = view.transcript.toPlainText()
    assert text.index("Take a note") < text.index("water the plants") < text.index("Saved.")
    assert view.composer.toPlainText() == ""
    assert not view.stop_button.isVisible()


def test_the_editor_shows_squiggles_and_toggles_breakpoints(aloop: LoopRunner,
                                                            desktop: Desktop) -> None:
    desktop.window.show_section("bots")
    path = desktop.designer.current
    assert path is not None
    editor = desktop.bots_view.editors[path]
    assert isinstance(editor, CodeEditor)
    editor.setPlainText('TALK "hi"\nIF x THEN\n')

    async def scenario() -> None:
        await desktop.designer.compiled()

    aloop.run(scenario())
    assert editor.diagnostics and editor.diagnostics[0].is_error
    squiggles = [s for s in editor.extraSelections()
                 if s.format.underlineStyle() != s.format.UnderlineStyle.NoUnderline]
    assert squiggles
    assert "•" in desktop.bots_view.tabs.tabText(0)
    editor.jump_to(1, 1)
    editor.keyPressEvent(_key(Qt.Key.Key_F9))
    assert editor.breakpoints == {1}
    assert desktop.debug.breakpoints.lines("start") == {1}


def test_the_highlighter_follows_the_keyword_table(desktop: Desktop) -> None:
    from PySide6.QtGui import QTextDocument

    highlighter = BasicHighlighter(QTextDocument())
    assert highlighter.classify("talk") == "keyword"
    assert highlighter.classify("HEAR") == "keyword"
    assert highlighter.classify("UCASE") == "function"
    assert highlighter.classify("customer") is None


def test_switching_to_dark_theme_restyles_the_app(desktop: Desktop, qapp: object) -> None:
    desktop.settings.set_theme("dark")
    assert qapp.property("hearthTheme") == "dark"  # type: ignore[attr-defined]
    desktop.settings.set_theme("light")
    assert qapp.property("hearthTheme") == "light"  # type: ignore[attr-defined]


def test_screen_reader_names_on_the_main_controls(desktop: Desktop) -> None:
    view = desktop.chat_view
    for widget in (view.composer, view.send_button, view.stop_button, view.attach,
                   view.bot_picker, view.session_list, view.transcript):
        assert widget.accessibleName(), widget


def _key(key: Qt.Key) -> object:
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QKeyEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)


def test_hearth_without_a_display_starts_the_terminal(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(start.sys, "platform", "linux")
    monkeypatch.setattr(start, "terminal", lambda: 7)
    monkeypatch.setattr(start, "open_desktop", lambda: pytest.fail("no window without display"))
    assert start.start() == 7
    assert "No display found: starting the terminal chat" in capsys.readouterr().err


def test_hearth_falls_back_when_qt_cannot_start(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(start, "desktop_problem", lambda: "Qt cannot open a window: xcb")
    monkeypatch.setattr(start, "terminal", lambda: 0)
    assert start.start() == 0
    err = capsys.readouterr().err
    assert "The desktop app cannot start: Qt cannot open a window: xcb" in err
    assert "terminal chat instead" in err


def test_hearth_opens_the_window_when_qt_can(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert start.has_display()
    assert start.desktop_problem() is None
    monkeypatch.setattr(start, "open_desktop", lambda: 3)
    assert start.start() == 3
