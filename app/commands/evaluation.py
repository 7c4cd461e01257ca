"""``hearth eval answers DATASET``: how well a bot answers from its documents (issue 12).

DATASET is a folder with ``docs/`` and ``questions.jsonl`` (docs/kb.md). The documents are
ingested into a temporary bot (under a throw-away home, so nothing of the user's changes);
``--bot B`` gives that bot B's ``config.csv`` and system prompt. Each question is asked in a
new session through a real bot turn; the report gives answer accuracy, citation precision,
refusal rate and latency p50/p95, with ``--json`` for machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from app.paths import AppPaths
from app.settings import load_settings
from engine.answer_eval import (
    AnswerDataset,
    AnswerReport,
    DatasetError,
    Outcome,
    evaluate_answers,
    write_eval_bot,
)
from engine.api import Engine, EngineConfig
from engine.bots.package import BotPackage
from engine.llm.grounding import ANSWER_MODE_KEY, AnswerMode

EVAL_BOT = "answers-eval"
EMBEDDING_MODEL = "all-minilm-l6-v2"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("eval", help="measure how well bots answer")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    answers = actions.add_parser(
        "answers", help="answer accuracy, citation precision, refusals and latency on a "
        "folder of docs/ and questions.jsonl")
    answers.add_argument("dataset", type=Path)
    answers.add_argument("--bot", help="use this bot's config.csv and system prompt")
    answers.add_argument("--mode", choices=[m.value for m in AnswerMode], default=None,
                         help="kb-answer-mode (default: the bot's, else auto)")
    answers.add_argument("--model", help="local chat model (default: the default chat model)")
    answers.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    answers.add_argument("--timeout", type=float, default=600.0,
                         help="seconds one question may take before it counts as failed")
    answers.add_argument("--json", action="store_true", help="machine-readable output")
    answers.set_defaults(handler=run_answers)


def run_answers(args: argparse.Namespace) -> int:
    paths = AppPaths.from_env().ensure_dirs()
    dataset = AnswerDataset.load(args.dataset)
    config, prompt = _bot_settings(paths, args.bot)
    if args.mode:
        config[ANSWER_MODE_KEY] = args.mode
    model = args.model or load_settings(paths).models.chat
    _ensure_models(paths, model, config.get(ANSWER_MODE_KEY, "") == AnswerMode.EXTRACTIVE)
    bar = AnswerProgress(quiet=args.json)
    with tempfile.TemporaryDirectory(prefix="hearth-eval-") as folder:
        home = Path(folder)
        engine_config = EngineConfig(home, home / "bots", home / "work", home / "hearth.db",
                                     run_scheduler=False, watch_bots=False,
                                     models_dir=paths.models_dir, chat_model=model)
        bot = write_eval_bot(engine_config.bots_dir, dataset, EVAL_BOT, config, prompt)

        async def main() -> AnswerReport:
            async with Engine(engine_config) as engine:
                return await evaluate_answers(engine, bot, dataset, limit=args.limit,
                                              progress=bar, timeout=args.timeout)

        report = asyncio.run(main())
    report.bot = args.bot or EVAL_BOT
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(render(report))
    return 0


def render(report: AnswerReport) -> str:
    summary = report.summary()
    precision = summary["citation_precision"]
    lines = [
        f"dataset {summary['dataset']}, bot {summary['bot']}, model {summary['model']}: "
        f"{summary['questions']} questions",
        f"  answer accuracy     {summary['accuracy']:.1%}",
        "  citation precision  " + ("-" if precision is None else f"{precision:.1%}"),
        f"  refusal rate        {summary['refusal_rate']:.1%}",
        f"  failed turns        {summary['error_rate']:.1%}",
        f"  latency p50 / p95   {summary['latency_p50']:.2f} s / {summary['latency_p95']:.2f} s",
    ]
    return "\n".join(lines)


class AnswerProgress:
    """A progress bar on stderr (a terminal), else one line per question."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.right = 0

    def __call__(self, done: int, total: int, outcome: Outcome) -> None:
        self.right += outcome.correct
        if self.quiet:
            return
        mark = "right" if outcome.correct else "refused" if outcome.refused else \
            "failed" if outcome.failed else "wrong"
        if not self.tty:
            print(f"[{done}/{total}] {mark} {outcome.seconds:.1f} s  {outcome.question}",
                  file=self.stream, flush=True)
            return
        filled = round(24 * done / total)
        line = f"\r[{'#' * filled}{'.' * (24 - filled)}] {done}/{total}  {self.right} right"
        end = "\n" if done == total else ""
        print(line, end=end, file=self.stream, flush=True)


def _bot_settings(paths: AppPaths, bot: str | None) -> tuple[dict[str, str], str]:
    if bot is None:
        return {}, ""
    package = BotPackage.at(paths.bots_dir / f"{bot}.gbai")
    if not package.root.is_dir():
        raise DatasetError(f"no bot named {bot!r} in {paths.bots_dir}")
    config, _ = package.config_rows()
    return dict(config), package.system_prompt() or ""


def _ensure_models(paths: AppPaths, model: str, extractive: bool) -> None:
    """The embedding model and (unless answers are extractive) the chat model, pulled with
    progress when missing."""
    from app.commands.models import ProgressBar
    from engine.llm.models import ModelManager

    models = ModelManager(paths.models_dir)
    for name in [EMBEDDING_MODEL] if extractive else [EMBEDDING_MODEL, model]:
        if name in models.catalog.names:
            models.ensure(name, ProgressBar())
