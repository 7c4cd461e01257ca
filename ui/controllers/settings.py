"""Settings → Appearance, Storage and Providers: the theme (applied at once and saved to
settings.toml), the default chat model, the data folder and storage URLs, and API keys in the
OS keyring."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.paths import AppPaths
from app.settings import Settings, SettingsError, save_settings
from ui.models.table import Column, DtoTableModel
from ui.services.secrets import SecretInfo, SecretStore, SecretsUnavailable


def secrets_table() -> DtoTableModel[SecretInfo]:
    return DtoTableModel([
        Column("Name", lambda s: s.name),
        Column("Use in config.csv", lambda s: f"keyring:{s.name}"),
        Column("Value", lambda s: "•••••• (in the keyring)" if s.is_set else "missing",
               tone=lambda s: "ok" if s.is_set else "error"),
    ])


class SettingsController(QObject):
    error = Signal(str)
    notice = Signal(str)
    theme_changed = Signal(str)
    chat_model_changed = Signal(str)  # the default chat model, for the engine's next turn

    def __init__(self, paths: AppPaths, settings: Settings, secrets: SecretStore) -> None:
        super().__init__()
        self.paths = paths
        self.settings = settings
        self.secrets = secrets
        self.keys = secrets_table()

    # -- appearance and models -----------------------------------------------------------------
    @property
    def theme(self) -> str:
        return self.settings.appearance.theme

    def set_theme(self, name: str) -> None:
        if name != self.theme and self._update({"appearance": {"theme": name}}):
            self.theme_changed.emit(name)

    def set_default_chat_model(self, name: str) -> None:
        if name and name != self.settings.models.chat and self._update(
                {"models": {"chat": name}}):
            self.chat_model_changed.emit(name)  # the desktop hands it to the engine
            self.notice.emit(f"Answers now come from {name}, from the next message on.")

    def _update(self, changes: dict[str, object]) -> bool:
        try:
            updated = self.settings.updated(changes)
            save_settings(updated, self.paths)
        except (SettingsError, OSError) as error:
            self.error.emit(getattr(error, "message", str(error)))
            return False
        self.settings = updated
        return True

    # -- storage -------------------------------------------------------------------------------
    def storage_rows(self) -> list[tuple[str, str]]:
        storage = self.settings.storage
        return [("Data folder", str(self.paths.home)), ("Settings file",
                                                         str(self.paths.settings_path)),
                ("Database", storage.db), ("Files (drives, KB originals)", storage.objects),
                ("Cache", storage.cache), ("Event bus", storage.bus),
                ("Models", str(self.paths.models_dir))]

    # -- keys ----------------------------------------------------------------------------------
    def load_keys(self) -> None:
        try:
            self.keys.set_rows(self.secrets.secrets())
        except SecretsUnavailable as error:
            self.error.emit(str(error))

    def keyring_name(self) -> str:
        try:
            return self.secrets.backend_name()
        except Exception:  # a broken backend still deserves a label
            return "unavailable"

    def save_key(self, name: str, value: str) -> bool:
        if not name.strip() or not value:
            self.error.emit("A key needs a name and a value.")
            return False
        try:
            self.secrets.set(name.strip(), value)
        except (SecretsUnavailable, ValueError) as error:
            self.error.emit(str(error))
            return False
        self.load_keys()
        self.notice.emit(f"Saved “{name.strip()}” in the keyring: use keyring:{name.strip()} "
                         "as llm-key (or any secret) in a bot's config.csv.")
        return True

    def delete_key(self, name: str) -> None:
        try:
            self.secrets.delete(name)
        except SecretsUnavailable as error:
            self.error.emit(str(error))
            return
        self.load_keys()
