"""Answer evaluation (issue 12): a dataset's questions asked through real bot turns.

A dataset is a folder holding ``docs/`` (any documents the knowledge base reads) and
``questions.jsonl``, one ``{"question": ..., "answers": [accepted short answers]}`` a line
(docs/kb.md). :func:`write_eval_bot` makes a bot whose start dialog says ``USE KB`` on the
documents; :func:`evaluate_answers` opens one session per question on a running
:class:`~engine.api.Engine`, sends the question and reads the complete answer and its
citations. Measures: answer accuracy (an accepted answer appears in the answer, case and
whitespace normalised), citation precision (share of cited passages that contain an accepted
answer), refusal rate (answers that decline), error rate (turns that failed) and latency.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.api import Engine
from engine.errors import EngineError
from engine.events import BotResponse, TurnFinished
from engine.llm.grounding import declines

COLLECTION = "docs"
FAILED_PREFIX = "Sorry, I could not answer"


class DatasetError(EngineError):
    """The dataset folder cannot be read (its message says where)."""


@dataclass(frozen=True, slots=True)
class Question:
    question: str
    answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AnswerDataset:
    name: str
    docs: Path
    questions: tuple[Question, ...]

    @classmethod
    def load(cls, folder: Path) -> AnswerDataset:
        docs, lines = folder / "docs", folder / "questions.jsonl"
        if not docs.is_dir():
            raise DatasetError(f"{folder} has no docs/ folder")
        if not lines.is_file():
            raise DatasetError(f"{folder} has no questions.jsonl")
        questions = []
        for number, line in enumerate(lines.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                questions.append(_question(line, f"questions.jsonl line {number}"))
        if not questions:
            raise DatasetError("questions.jsonl holds no question")
        return cls(folder.resolve().name, docs, tuple(questions))


@dataclass(frozen=True, slots=True)
class Outcome:
    question: str
    answer: str
    sources: tuple[str, ...]
    correct: bool
    cited_correct: int
    refused: bool
    failed: bool
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "sources": self.sources,
                "correct": self.correct, "cited_correct": self.cited_correct,
                "refused": self.refused, "failed": self.failed,
                "seconds": round(self.seconds, 3)}


@dataclass
class AnswerReport:
    dataset: str
    bot: str
    model: str = ""
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return _share(sum(o.correct for o in self.outcomes), len(self.outcomes))

    @property
    def citation_precision(self) -> float | None:
        """Correct citations over all citations; None when nothing was cited."""
        cited = sum(len(o.sources) for o in self.outcomes)
        return sum(o.cited_correct for o in self.outcomes) / cited if cited else None

    @property
    def refusal_rate(self) -> float:
        return _share(sum(o.refused for o in self.outcomes), len(self.outcomes))

    @property
    def error_rate(self) -> float:
        return _share(sum(o.failed for o in self.outcomes), len(self.outcomes))

    def latency(self, quantile: float) -> float:
        times = sorted(o.seconds for o in self.outcomes)
        if not times:
            return 0.0
        if len(times) == 1:
            return times[0]
        return statistics.quantiles(times, n=100, method="inclusive")[round(quantile * 100) - 1]

    def summary(self) -> dict[str, Any]:
        precision = self.citation_precision
        return {"dataset": self.dataset, "bot": self.bot, "model": self.model,
                "questions": len(self.outcomes), "accuracy": round(self.accuracy, 4),
                "citation_precision": None if precision is None else round(precision, 4),
                "refusal_rate": round(self.refusal_rate, 4),
                "error_rate": round(self.error_rate, 4),
                "latency_p50": round(self.latency(0.5), 3),
                "latency_p95": round(self.latency(0.95), 3)}

    def to_json(self) -> dict[str, Any]:
        return {**self.summary(), "outcomes": [o.to_json() for o in self.outcomes]}


Progress = Callable[[int, int, Outcome], None]


def normalise(text: str) -> str:
    """Lower case, one space between words."""
    return " ".join(text.lower().split())


def contains_answer(text: str, answers: tuple[str, ...]) -> bool:
    flat = normalise(text)
    return any(normalise(a) in flat for a in answers if a.strip())


def write_eval_bot(bots_dir: Path, dataset: AnswerDataset, name: str,
                   config: Mapping[str, str] = {}, system_prompt: str = "") -> str:
    """A bot ``name`` whose start dialog uses the dataset's documents as its knowledge base,
    with the given ``config.csv`` values and system prompt (PROMPT.md)."""
    root = bots_dir / f"{name}.gbai"
    if root.exists():
        shutil.rmtree(root)
    (root / f"{name}.gbdialog").mkdir(parents=True)
    (root / f"{name}.gbdialog" / "start.bas").write_text(f'USE KB "{COLLECTION}"\n')
    (root / f"{name}.gbot").mkdir()
    rows = "".join(f"{k},{_csv(v)}\n" for k, v in config.items())
    (root / f"{name}.gbot" / "config.csv").write_text("name,value\n" + rows, encoding="utf-8")
    if system_prompt.strip():
        (root / f"{name}.gbot" / "PROMPT.md").write_text(system_prompt, encoding="utf-8")
    shutil.copytree(dataset.docs, root / f"{name}.gbkb" / COLLECTION)
    return name


async def evaluate_answers(engine: Engine, bot: str, dataset: AnswerDataset, *,
                           limit: int = 0, progress: Progress | None = None,
                           timeout: float = 600.0) -> AnswerReport:
    """Ask each question (the first ``limit`` when > 0) in a new session of ``bot``."""
    questions = dataset.questions[:limit] if limit > 0 else dataset.questions
    report = AnswerReport(dataset.name, bot)
    await engine.kb.synced(bot)  # indexing is not part of the first answer's latency
    for number, item in enumerate(questions, 1):
        outcome = await _ask(engine, bot, f"eval-{number}", item, timeout)
        report.outcomes.append(outcome)
        if progress is not None:
            progress(number, len(questions), outcome)
    report.model = engine.chat_model
    return report


async def _ask(engine: Engine, bot: str, session: str, item: Question,
               timeout: float) -> Outcome:
    async with engine.subscribe(session) as events:
        await engine.open_session(bot, session_id=session)
        await _responses(events, timeout)
        began = time.perf_counter()
        sending = asyncio.ensure_future(engine.send(session, item.question))
        try:
            said = await _responses(events, timeout)
        except TimeoutError:
            said = []
        seconds = time.perf_counter() - began
        await sending
    answer = next((r for r in reversed(said) if r.content), None)
    text = answer.content if answer else ""
    sources = tuple(dict.fromkeys(c.source for c in answer.citations)) if answer else ()
    texts = await _source_texts(engine, bot, item.question)
    cited_correct = sum(contains_answer(texts.get(s, ""), item.answers) for s in sources)
    failed = not text or text.startswith(FAILED_PREFIX)
    return Outcome(item.question, text, sources, contains_answer(text, item.answers),
                   cited_correct, not failed and declines(text), failed, seconds)


async def _responses(events: Any, timeout: float) -> list[BotResponse]:
    said: list[BotResponse] = []
    async with asyncio.timeout(timeout):
        async for event in events:
            if isinstance(event, BotResponse) and event.is_complete:
                said.append(event)
            elif isinstance(event, TurnFinished):
                break
    return said


async def _source_texts(engine: Engine, bot: str, question: str) -> dict[str, str]:
    """The full text the turn's search found for each source (citations carry snippets)."""
    texts: dict[str, str] = {}
    for passage in await engine.kb.passages(bot, [COLLECTION], question):
        texts[passage.source] = texts.get(passage.source, "") + "\n" + passage.content
    return texts


def _question(line: str, where: str) -> Question:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise DatasetError(f"{where}: not JSON ({error.msg})") from None
    if not isinstance(row, dict) or not isinstance(row.get("question"), str):
        raise DatasetError(f"{where}: no \"question\" text")
    answers = row.get("answers")
    if not isinstance(answers, list) or not answers or not all(
            isinstance(a, str) and a.strip() for a in answers):
        raise DatasetError(f"{where}: \"answers\" must be a list of non-empty texts")
    return Question(row["question"], tuple(answers))


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value
