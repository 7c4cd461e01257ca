"""The PySide6 desktop shell (ARCHITECTURE.md §1): MVC over the headless engine.

``views/`` lay out widgets and forward gestures; ``controllers/`` hold the logic and talk to
the engine through the narrow ports of :mod:`ui.ports`; ``models/`` are Qt item models over
engine DTOs; ``widgets/`` are reusable widgets (code editor, transcript, pills); ``services/``
are small Qt-free adapters over engine parts (keyring, knowledge base, model manager...).
Everything runs on one qasync event loop: controllers await engine coroutines directly and
blocking work goes to executors, so the GUI thread never waits.
"""
