"""The config.csv editor's logic: load, validate, save, and move plain-text secrets into the
OS keyring (BASIC.md §14.16), leaving ``keyring:NAME`` in the file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.bots.config import normalise_key
from engine.bots.configkeys import KNOWN_KEYS
from ui.models.config import ConfigTableModel
from ui.services.config_keys import KEYRING_PREFIX
from ui.services.secrets import SecretStore, SecretsUnavailable


class ConfigEditorController(QObject):
    error = Signal(str)
    saved = Signal(str)
    modified_changed = Signal(bool)

    def __init__(self, path: Path, bot: str, secrets: SecretStore) -> None:
        super().__init__()
        self.path = path
        self.bot = bot
        self.secrets = secrets
        self.model = ConfigTableModel()
        self._saved_text = ""
        self.reload()
        self.model.dataChanged.connect(self._changed)
        self.model.rowsInserted.connect(self._changed)
        self.model.rowsRemoved.connect(self._changed)

    @staticmethod
    def known_keys() -> list[str]:
        return sorted(KNOWN_KEYS)

    @property
    def modified(self) -> bool:
        return self.model.text() != self._saved_text

    def reload(self) -> None:
        text = self.path.read_text(encoding="utf-8") if self.path.is_file() else "name,value\n"
        self.model.load_text(text)
        self._saved_text = self.model.text()
        self.modified_changed.emit(False)

    def save(self) -> None:
        self.path.write_text(self.model.text(), encoding="utf-8")
        self._saved_text = self.model.text()
        self.modified_changed.emit(False)
        self.saved.emit(str(self.path))

    def add_row(self) -> int:
        return self.model.add_row()

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.model.remove_row(row)

    def move_secret(self, row: int) -> bool:
        """Store the row's value in the keyring as ``BOT-KEY`` and refer to it instead."""
        entry = self.model.rows[row]
        if not entry.has_secret:
            return False
        name = f"{self.bot}-{normalise_key(entry.key)}"
        try:
            self.secrets.set(name, entry.value)
        except SecretsUnavailable as error:
            self.error.emit(str(error))
            return False
        self.model.set_value(row, KEYRING_PREFIX + name)
        return True

    def _changed(self, *args: object) -> None:
        self.modified_changed.emit(self.modified)
