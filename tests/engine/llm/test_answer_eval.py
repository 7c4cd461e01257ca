"""Answer evaluation through real bot turns (issue 12): the sample dataset asked through the
Engine with a scripted model (fast), in each ``kb-answer-mode``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from llmfakes import FakeChatModel, FakeLocalModels

from engine.answer_eval import (
    AnswerDataset,
    AnswerReport,
    DatasetError,
    contains_answer,
    evaluate_answers,
    write_eval_bot,
)
from engine.api import Engine, EngineConfig
from tests.engine.media.cached_models import link_into

SAMPLE = Path(__file__).resolve().parents[3] / "resources" / "datasets" / "answers-sample"
SCRIPT = (
    "The library is open from Monday to Friday, 9:00 to 19:00. [1]",  # quoted and cited
    "The library opens on Saturdays at 8 in the morning and never closes.",  # invented
    "I don't know.",  # declines
)


def run_eval(home: Path, mode: str, model: FakeChatModel, limit: int = 3) -> AnswerReport:
    dataset = AnswerDataset.load(SAMPLE)
    link_into("all-minilm-l6-v2", home / "models")
    config = EngineConfig.under(home, run_scheduler=False, watch_bots=False,
                                models_dir=home / "models")
    bot = write_eval_bot(config.bots_dir, dataset, "answers", {"kb-answer-mode": mode})
    seen: list[int] = []

    async def main() -> AnswerReport:
        async with Engine(config) as engine:
            engine.llm = FakeLocalModels("fake", fake=model)  # type: ignore[assignment]
            return await evaluate_answers(engine, bot, dataset, limit=limit,
                                          progress=lambda done, total, _: seen.append(done))

    report = asyncio.run(asyncio.wait_for(main(), 240))
    assert seen == list(range(1, len(report.outcomes) + 1))
    assert len(report.outcomes) == (limit or len(dataset.questions))
    return report


def test_auto_mode_keeps_the_grounded_answer_and_answers_the_others_from_the_passages(
        tmp_path: Path) -> None:
    report = run_eval(tmp_path, "auto", FakeChatModel(*SCRIPT))
    first, second, third = report.outcomes
    assert first.answer == SCRIPT[0] and first.correct and first.cited_correct == 1
    assert first.sources == ("docs/opening-hours.md",) or first.sources[0].endswith(
        "opening-hours.md")
    # the invented answer and the refusal are replaced by the passage's own sentences
    assert "8 in the morning" not in second.answer and second.correct, second.answer
    assert "10:00 to 16:00" in second.answer and len(second.sources) == 1
    assert third.correct and not third.refused and "closed on Sunday" in third.answer
    summary = report.summary()
    assert summary["accuracy"] == 1.0 and summary["citation_precision"] == 1.0
    assert summary["refusal_rate"] == 0.0 and summary["questions"] == 3
    assert 0 < summary["latency_p50"] <= summary["latency_p95"]


def test_generative_mode_shows_the_model_and_counts_its_mistakes(tmp_path: Path) -> None:
    report = run_eval(tmp_path, "generative", FakeChatModel(*SCRIPT))
    first, second, third = report.outcomes
    assert first.correct and not second.correct and not third.correct
    assert third.refused and third.sources == ()
    assert report.accuracy == pytest.approx(1 / 3)
    assert report.refusal_rate == pytest.approx(1 / 3)


def test_extractive_mode_never_asks_the_model(tmp_path: Path) -> None:
    model = FakeChatModel()
    report = run_eval(tmp_path, "extractive", model, limit=0)
    assert model.requests == []
    assert report.accuracy >= 0.8, [(o.question, o.answer) for o in report.outcomes]
    assert report.citation_precision is not None and report.citation_precision >= 0.8
    assert all(len(o.sources) <= 1 for o in report.outcomes)


def test_dataset_format_errors_say_where(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "questions.jsonl").write_text('{"question": "q", "answers": ["a"]}\n'
                                              '{"question": "q2", "answers": []}\n')
    with pytest.raises(DatasetError, match="line 2"):
        AnswerDataset.load(tmp_path)
    assert contains_answer("Open  until\n19:00 [1]", ("19:00",))
    assert not contains_answer("open until 7", ("19:00",))


def real_eval(home: Path, config: dict[str, str]) -> AnswerReport:
    """Questions 2-4 of the sample on the real SmolLM2 (one thread), kb-answer-mode auto."""
    from realmodels import SMOLLM2, load
    from test_llm_engine_chat import _OneLocal

    sample = AnswerDataset.load(SAMPLE)
    dataset = AnswerDataset(sample.name, sample.docs, sample.questions[1:4])
    link_into("all-minilm-l6-v2", home / "models")
    engine_config = EngineConfig.under(home, run_scheduler=False, watch_bots=False,
                                       models_dir=home / "models", chat_model=SMOLLM2)
    bot = write_eval_bot(engine_config.bots_dir, dataset, "answers",
                         {"llm-temperature": "0", **config})
    real = load(SMOLLM2)

    async def main() -> AnswerReport:
        async with Engine(engine_config) as engine:
            engine.llm = _OneLocal(real)  # type: ignore[assignment]
            return await evaluate_answers(engine, bot, dataset)

    return asyncio.run(asyncio.wait_for(main(), 600))


def test_real_smollm2_answers_are_grounded_or_extractive(tmp_path: Path) -> None:
    report = real_eval(tmp_path, {"llm-timeout": "120"})
    assert report.error_rate == 0.0
    assert report.accuracy >= 2 / 3, [o.answer for o in report.outcomes]
    for outcome in report.outcomes:
        assert len(outcome.sources) <= 1 and outcome.cited_correct == len(outcome.sources)


def test_real_smollm2_too_slow_gives_the_extractive_answer(tmp_path: Path) -> None:
    report = real_eval(tmp_path, {"llm-timeout": "0.05"})
    assert [o.answer for o in report.outcomes] == [
        "On Saturday it opens from 10:00 to 16:00. [1]",
        "The library is open from Monday to Friday, 9:00 to 19:00. "
        "The library is closed on Sunday. [1]",
        "On the day before a public holiday the library closes early, at 15:00. [1]"]
    assert report.accuracy == 1.0 and report.citation_precision == 1.0
