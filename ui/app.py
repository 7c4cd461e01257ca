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


def run(paths: AppPaths | None = None) -> int:
    import qasync

    paths = (paths or AppPaths.from_env()).ensure_dirs()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Hearth")
    app.setApplicationDisplayName("Hearth")
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(main(app, paths))


def settings_or_defaults(paths: AppPaths) -> tuple[Settings, str | None]:
    """The settings file, or the defaults and the problem when it cannot be used."""
    try:
        return load_settings(paths), None
    except SettingsError as error:
        return Settings.defaults(paths), error.message


async def main(app: QApplication, paths: AppPaths) -> int:
    from app.engine_factory import build_engine
    from ui.shell import Desktop

    settings, problem = settings_or_defaults(paths)
    apply_theme(app, settings.appearance.theme)
    async with build_engine(paths) as engine:
        desktop = await Desktop.open(engine, paths, settings, app)
        if problem:
            desktop.status(problem)
        closed = asyncio.Event()
        desktop.window.closing.connect(closed.set)
        desktop.window.show()
        await closed.wait()
        await desktop.aclose()
    return 0
