"""Starting the desktop app: QApplication + qasync loop + the engine + the main window.

``run()`` is what ``hearth`` / ``hearth desktop`` call. The engine is opened on the same
loop the widgets use (ARCHITECTURE.md §2), the window is built by :mod:`ui.shell`, and
closing the window closes the engine in order.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from PySide6.QtWidgets import QApplication

from app.paths import AppPaths
from app.settings import Settings, SettingsError, load_settings
from ui.theme import apply_theme

log = logging.getLogger(__name__)


GIL_SWITCH_SECONDS = 0.001


def tune_runtime() -> None:
    """Worker threads (BASIC runs, embeddings, llama.cpp's Python side) hold the GIL for up to
    ``sys.getswitchinterval()`` at a time; 1 ms instead of 5 ms keeps the GUI thread's waits
    short when several of them are busy."""
    sys.setswitchinterval(GIL_SWITCH_SECONDS)


def run(paths: AppPaths | None = None) -> int:
    import qasync  # type: ignore[import-untyped]

    tune_runtime()
    paths = (paths or AppPaths.from_env()).ensure_dirs()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Hearth")
    app.setApplicationDisplayName("Hearth")
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return int(loop.run_until_complete(main(app, paths)))


def settings_or_defaults(paths: AppPaths) -> tuple[Settings, str | None]:
    """The settings file, or the defaults and the problem when it cannot be used."""
    try:
        return load_settings(paths), None
    except SettingsError as error:
        return Settings.defaults(paths), error.message


def _load_the_rest() -> None:
    """The engine and the views: imported on a worker thread while the window shows."""
    import app.engine_factory  # noqa: F401
    import ui.shell  # noqa: F401


async def main(app: QApplication, paths: AppPaths) -> int:
    from ui.views.main_window import MainWindow

    settings, problem = settings_or_defaults(paths)
    apply_theme(app, settings.appearance.theme)
    window = MainWindow()  # painted at once; the sections arrive when the engine is open
    closed = asyncio.Event()
    window.closing.connect(closed.set)
    window.show()
    await asyncio.get_running_loop().run_in_executor(None, _load_the_rest)
    from app.engine_factory import build_engine
    from ui.shell import Desktop

    async with build_engine(paths) as engine:
        desktop = await Desktop.open(engine, paths, settings, app, window)
        if problem:
            desktop.status(problem)
        await closed.wait()
        await desktop.aclose()
    return 0
