"""Answers from documents: accuracy, citation precision and latency per model and mode.

Every configuration asks the same dataset's questions (default: the sample dataset,
``resources/datasets/answers-sample``) through real bot turns of the Engine, exactly like
``hearth eval answers``: a temporary bot on the dataset's ``docs/``, one new session per
question. Configurations, side by side in one run:

- ``extractive``: ``kb-answer-mode extractive`` (no model is asked);
- ``<model>/generative``: the model's answer as it is (SmolLM2-135M, Qwen2.5-Coder-0.5B);
- ``<model>/auto``: the model's answer when it is grounded in the passages, else the
  extractive answer (Hearth's default).

    .venv/bin/python bench/answers.py [--dataset DIR] [--configs extractive,smollm2/auto,...]
                                      [--limit N] [--timeout 60]

Models come from (or are pulled into) ``$HEARTH_MODELS_CACHE``, else ``.cache/models``.
Writes ``bench/results/answers.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import markdown_table, print_table, write_json  # noqa: E402
from engine.answer_eval import AnswerDataset, AnswerReport, evaluate_answers, write_eval_bot  # noqa: E402
from engine.api import Engine, EngineConfig  # noqa: E402
from engine.llm.models import ModelManager  # noqa: E402

MODELS = {"smollm2": "smollm2-135m-instruct", "qwen": "qwen2.5-coder-0.5b-instruct"}
EMBEDDER = "all-minilm-l6-v2"
SAMPLE = REPO / "resources" / "datasets" / "answers-sample"
CONFIGS = ("extractive", "smollm2/generative", "smollm2/auto", "qwen/generative", "qwen/auto")
HEADERS = ["configuration", "questions", "accuracy", "citation precision", "refusals",
           "failed", "p50 s", "p95 s"]


def models_dir() -> Path:
    cache = Path(os.environ.get("HEARTH_MODELS_CACHE") or REPO / ".cache" / "models")
    manager = ModelManager(cache)
    manager.ensure(EMBEDDER)
    return cache


async def run_config(config: str, dataset: AnswerDataset, models: Path, limit: int,
                     timeout: float) -> AnswerReport:
    """One configuration in a throw-away home (its own database and indexes)."""
    short, _, mode = config.partition("/")
    model = MODELS.get(short, MODELS["smollm2"])
    if short in MODELS:
        ModelManager(models).ensure(model)
    mode = mode or "extractive"
    with tempfile.TemporaryDirectory(prefix="hearth-bench-answers-") as folder:
        home = Path(folder)
        engine_config = EngineConfig.under(home, run_scheduler=False, watch_bots=False,
                                           models_dir=models, chat_model=model)
        bot = write_eval_bot(engine_config.bots_dir, dataset, "answers",
                             {"kb-answer-mode": mode, "llm-timeout": f"{timeout:g}"})
        async with Engine(engine_config) as engine:
            report = await evaluate_answers(
                engine, bot, dataset, limit=limit, timeout=timeout * 3,
                progress=lambda done, total, o: print(
                    f"  {config} [{done}/{total}] {'right' if o.correct else 'wrong'} "
                    f"{o.seconds:.1f} s", file=sys.stderr, flush=True))
    report.model = "" if mode == "extractive" else model
    return report


def row(config: str, report: AnswerReport) -> list[Any]:
    summary = report.summary()
    precision = summary["citation_precision"]
    return [config, summary["questions"], f"{summary['accuracy']:.0%}",
            "-" if precision is None else f"{precision:.0%}",
            f"{summary['refusal_rate']:.0%}", f"{summary['error_rate']:.0%}",
            summary["latency_p50"], summary["latency_p95"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=SAMPLE)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--limit", type=int, default=0, help="first N questions only")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="llm-timeout of the bot: seconds a model answer may take")
    args = parser.parse_args()
    dataset = AnswerDataset.load(args.dataset)
    models = models_dir()
    reports: dict[str, AnswerReport] = {}
    for config in [c.strip() for c in args.configs.split(",") if c.strip()]:
        reports[config] = asyncio.run(run_config(config, dataset, models, args.limit,
                                                 args.timeout))
        # written after each configuration: a long run stopped early keeps what it measured
        path = write_json("answers", {"dataset": dataset.name, "timeout": args.timeout,
                                      "configs": {c: r.to_json() for c, r in reports.items()}})
    rows = [row(config, report) for config, report in reports.items()]
    print_table(HEADERS, rows)
    print()
    print(markdown_table(HEADERS, rows))
    print(f"\nwritten to {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
