"""``hearth eval answers``: the sample dataset through the command (extractive answers need
no chat model, so this runs in seconds), its report, --json, progress and dataset errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.engine.media.cached_models import link_into

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "datasets" / "answers-sample"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path / "home"))
    link_into("all-minilm-l6-v2", tmp_path / "home" / "models")
    return tmp_path / "home"


def test_eval_answers_json_on_the_sample(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "answers", str(SAMPLE), "--mode", "extractive", "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["questions"] == 16 and len(report["outcomes"]) == 16
    assert report["accuracy"] >= 0.75 and report["citation_precision"] >= 0.9
    assert report["error_rate"] == 0.0 and report["latency_p50"] <= report["latency_p95"]
    right = next(o for o in report["outcomes"] if "colour page" in o["question"])
    assert "50 cents per colour page" in right["answer"] and right["correct"]
    assert right["sources"] == ["rooms-and-services.txt"] or right["sources"][0].endswith(
        "rooms-and-services.txt")
    assert captured.err == ""  # --json: no progress lines
    assert not list((home / "bots").glob("*.gbai"))  # the temporary bot is not the user's


def test_eval_answers_text_report_with_progress_and_the_bot_settings(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bot = home / "bots" / "library.gbai" / "library.gbot"
    bot.mkdir(parents=True)
    (bot / "config.csv").write_text("name,value\nkb-answer-mode,extractive\n")
    (home / "bots" / "library.gbai" / "library.gbdialog").mkdir()
    assert main(["eval", "answers", str(SAMPLE), "--bot", "library", "--limit", "3"]) == 0
    captured = capsys.readouterr()
    assert [line[:6] for line in captured.err.splitlines()] == ["[1/3] ", "[2/3] ", "[3/3] "]
    assert "bot library" in captured.out and "3 questions" in captured.out
    assert "answer accuracy" in captured.out and "latency p50 / p95" in captured.out


def test_eval_answers_says_what_is_wrong_with_a_dataset(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad" / "docs").mkdir(parents=True)
    (tmp_path / "bad" / "questions.jsonl").write_text("{not json\n")
    assert main(["eval", "answers", str(tmp_path / "bad")]) == 1
    assert "questions.jsonl line 1: not JSON" in capsys.readouterr().err
    assert main(["eval", "answers", str(SAMPLE), "--bot", "nobody"]) == 1
    assert "no bot named 'nobody'" in capsys.readouterr().err
