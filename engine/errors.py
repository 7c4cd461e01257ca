"""The root of every error the engine raises on purpose.

Each layer defines its own root in its own package (``engine.basic.errors.BasicError``,
``engine.data.errors.DataStoreError``...) deriving from :class:`EngineError`. All derive from
``Exception``, never ``BaseException``, so task cancellation is never swallowed.
"""


class EngineError(Exception):
    """An error with a message that is safe to show to a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
