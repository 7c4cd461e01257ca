"""``hearth kb ingest | search | stats | eval``: knowledge bases from the terminal.

Indexes live in each bot's work folder (``<home>/work/<bot>/kb/``, one SQLite file per
collection, the same place the desktop uses); ``kb eval`` keeps its throw-away indexes in the
cache folder. A path
inside ``NAME.gbai`` belongs to bot NAME, anything else to ``--bot`` (default ``default``).
The embedding model is the catalog's ``all-minilm-l6-v2`` (pulled on first use, saying so),
or the folder given with ``--model-dir``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO, TypeVar

from app.paths import AppPaths
from engine.bots.package import BotPackage
from engine.errors import EngineError
from engine.kb import (
    ChunkingOptions,
    Hit,
    IngestEvent,
    IngestEventKind,
    IngestReport,
    KbOptions,
    KnowledgeBase,
    MiniLmOnnxEmbedder,
    RetrievalSettings,
    SearchMode,
)
from engine.kb.errors import KbError
from engine.kb.evaluation import BeirDataset, EvalResult, evaluate
from engine.kb.knowledge import file_safe, read_stats
from engine.kb.settings import MAX_DOCUMENT_KEY, max_document_bytes
from engine.storage.db.sqlite_connection import is_disk_full
from engine.storage.errors import DiskFull

T = TypeVar("T")
MODEL = "all-minilm-l6-v2"
DEFAULT_BOT = "default"


def bot_root(paths: AppPaths, bot: str) -> Path:
    """Where the knowledge-base indexes of ``bot`` live."""
    return paths.bot_work_dir(bot) / "kb"


def indexed_bots(paths: AppPaths) -> list[str]:
    return sorted(p.parent.name for p in paths.work_dir.glob("*/kb") if p.is_dir())


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("kb", help="index documents and search knowledge bases")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    ingest = actions.add_parser("ingest", help="index a .gbai/.gbkb package or a folder")
    ingest.add_argument("path", type=Path)
    ingest.add_argument("--collection", help="collection name for a plain folder")
    ingest.add_argument("--max-document-mb", type=float, default=None,
                        help="skip (and report) larger documents (kb-max-document-mb of the"
                        " bot's config.csv, else 64)")
    _common(ingest, chunking=True)
    ingest.set_defaults(handler=run_ingest)
    search = actions.add_parser("search", help="hybrid search with per-hit scores")
    search.add_argument("query")
    search.add_argument("--collection", action="append", default=[],
                        help="collection to search (repeatable; default: all of the bot)")
    search.add_argument("-k", type=int, default=None, help="number of hits (rag-max-results)")
    search.add_argument("--mode", choices=[m.value for m in SearchMode], default="hybrid")
    search.add_argument("--min-score", type=float, default=None, help="rag-min-score")
    _common(search)
    search.set_defaults(handler=run_search)
    stats = actions.add_parser("stats", help="documents, chunks and size of every collection")
    _common(stats, model=False)
    stats.set_defaults(handler=run_stats)
    ev = actions.add_parser("eval", help="nDCG@10, Recall@100, MRR@10 on a BEIR dataset")
    ev.add_argument("dataset", type=Path)
    ev.add_argument("--split", default="test", help="qrels split (train, test...)")
    ev.add_argument("--mode", choices=[*(m.value for m in SearchMode), "all"], default="all")
    ev.add_argument("--limit", type=int, default=0, help="evaluate only the first N queries")
    _common(ev, chunking=True, bot=False)
    ev.set_defaults(handler=run_eval)


def _common(parser: argparse.ArgumentParser, *, model: bool = True, chunking: bool = False,
            bot: bool = True) -> None:
    if bot:
        parser.add_argument("--bot", help=f"bot whose indexes to use (default: {DEFAULT_BOT},"
                            " or the NAME of a NAME.gbai path)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    if model:
        parser.add_argument("--model-dir", type=Path,
                            help="folder with model.onnx and tokenizer.json")
    if chunking:
        parser.add_argument("--chunk-size", type=int, default=1000)
        parser.add_argument("--overlap", type=int, default=200)


def run_ingest(args: argparse.Namespace) -> int:
    path: Path = args.path.resolve()
    if not path.is_dir():
        return _fail(f"no such folder: {args.path}")
    bot = args.bot or _bot_of(path) or DEFAULT_BOT
    try:
        folders = _collection_folders(path)
    except KbError as error:
        return _fail(error.message)
    if not folders:
        return _fail(f"{path} has no .gbkb folder")
    options = KbOptions(chunking=_chunking(args), max_file_bytes=_max_document_bytes(args, path))

    async def ingest(kb: KnowledgeBase) -> list[IngestReport]:
        bar = IngestProgress(quiet=args.json)
        reports = []
        for folder in folders:
            name = args.collection if args.collection and len(folders) == 1 else None
            reports.append(await kb.ingest(folder, bar, name=name))
        return reports

    reports = _with_kb(args, bot_root(AppPaths.from_env(), bot), options, ingest)
    if reports is None:
        return 1
    if args.json:
        print(json.dumps({"bot": bot, "collections": [r.to_json() for r in reports]}, indent=2))
    else:
        for report in reports:
            print(_report_line(report))
    return 1 if any(r.failed for r in reports) else 0


def _max_document_bytes(args: argparse.Namespace, path: Path) -> int:
    """``--max-document-mb``, else the package's ``kb-max-document-mb``, else the default."""
    config: dict[str, str] = {}
    if args.max_document_mb is not None:
        config[MAX_DOCUMENT_KEY] = str(args.max_document_mb)
    else:
        package = BotPackage.at(path) if path.name.endswith(".gbai") else \
            BotPackage.containing(path)
        if package is not None:
            try:
                config = dict(package.config())
            except (OSError, UnicodeError):  # `hearth check` reports a broken config.csv
                config = {}
    return max_document_bytes(config)


def run_search(args: argparse.Namespace) -> int:
    paths = AppPaths.from_env()
    bot = args.bot or _only_bot(paths) or DEFAULT_BOT
    root = bot_root(paths, bot)
    settings = RetrievalSettings()
    if args.min_score is not None:
        settings = settings.with_(min_score=args.min_score)

    async def search(kb: KnowledgeBase) -> list[Hit]:
        names = args.collection or kb.collections()
        return await kb.search(names, args.query, args.k, mode=SearchMode(args.mode))

    hits = _with_kb(args, root, KbOptions(retrieval=settings), search)
    if hits is None:
        return 1
    if args.json:
        print(json.dumps({"bot": bot, "query": args.query,
                          "hits": [hit.to_json() for hit in hits]}, indent=2))
        return 0
    if not hits:
        print("no results")
    for n, hit in enumerate(hits, start=1):
        print(f"[{n}] {hit.collection}: {hit.label}" + (f" — {hit.context}" if hit.context else ""))
        print(f"    score {hit.score:.3f}  fused {hit.fused:.5f}  "
              f"bm25 {_num(hit.bm25)}  dense {_num(hit.dense)}  chars {hit.start}-{hit.end}")
        print(f"    {_preview(hit.text)}")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    paths = AppPaths.from_env()
    bots = [args.bot] if args.bot else indexed_bots(paths)

    rows: list[dict[str, object]] = []
    for bot in bots:
        for item in read_stats(bot_root(paths, bot)):
            s = item.stats
            rows.append({"bot": bot, "collection": item.name, "documents": s.documents,
                         "chunks": s.chunks, "pages": s.pages, "bytes": s.bytes,
                         "embedder": s.embedder, "path": str(item.path),
                         "partial": s.partial,
                         "problems": [{"source": source, "reason": reason}
                                      for source, reason in s.problems]})
    if args.json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("no knowledge base has been indexed yet (hearth kb ingest PATH)")
    else:
        print(f"{'bot':<16}{'collection':<28}{'documents':>10}{'chunks':>10}{'MB':>9}"
              f"{'problems':>10}")
        for row in rows:
            size = float(str(row["bytes"])) / 1e6
            problems = row["problems"]
            assert isinstance(problems, list)
            print(f"{row['bot']!s:<16}{row['collection']!s:<28}{row['documents']!s:>10}"
                  f"{row['chunks']!s:>10}{size:>9.1f}{len(problems):>10}")
            if row["partial"]:
                print(f"  {row['partial']} document(s) partly indexed: run hearth kb ingest"
                      " again to finish")
            for problem in problems:
                print(f"  ! {problem['source']}: {problem['reason']}")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    try:
        dataset = BeirDataset.load(args.dataset, args.split)
    except (EngineError, OSError, ValueError) as error:
        return _fail(str(error))
    if args.limit:
        dataset = BeirDataset(dataset.name, dataset.corpus,
                              dict(list(dataset.queries.items())[:args.limit]), dataset.qrels)
    chunking = _chunking(args)
    root = AppPaths.from_env().cache_dir / "kb-eval" / \
        f"{file_safe(dataset.name)}-{chunking.size}-{chunking.overlap}"
    options = KbOptions(retrieval=RetrievalSettings(min_score=0.0, candidates=400),
                        chunking=chunking)
    modes = list(SearchMode) if args.mode == "all" else [SearchMode(args.mode)]

    async def run(kb: KnowledgeBase) -> tuple[IngestReport, list[EvalResult]]:
        report = await kb.ingest_items(dataset.name, dataset.items(),
                                       IngestProgress(quiet=args.json))
        return report, [await evaluate(kb, dataset.name, dataset, args.split, mode)
                        for mode in modes]

    outcome = _with_kb(args, root, options, run)
    if outcome is None:
        return 1
    report, results = outcome
    if args.json:
        print(json.dumps({"ingest": report.to_json(),
                          "results": [r.to_json() for r in results]}, indent=2))
        return 0
    print(f"{dataset.name} ({args.split}, {results[0].queries if results else 0} queries, "
          f"{len(dataset.corpus)} documents, chunks {chunking.size}/{chunking.overlap})")
    print(f"{'mode':<8}{'nDCG@10':>9}{'R@100':>8}{'MRR@10':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for r in results:
        print(f"{r.mode:<8}{r.ndcg_at_10:>9.4f}{r.recall_at_100:>8.4f}{r.mrr_at_10:>8.4f}"
              f"{r.latency_p50_ms:>9.1f}{r.latency_p99_ms:>9.1f}")
    return 0


class IngestProgress:
    """A one-line progress bar on stderr (a terminal), else one line per failure."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self._began = time.perf_counter()
        self._last = 0.0
        self._document: tuple[str, int] | None = None
        """The long document being indexed: (source, chunks committed)."""

    def __call__(self, event: IngestEvent) -> None:
        if event.kind is IngestEventKind.STARTED:
            self._began = time.perf_counter()
        if event.kind is IngestEventKind.DOCUMENT_FAILED and not self.quiet:
            self._clear()
            print(f"! {event.collection}/{event.source}: {event.error}", file=self.stream)
        if event.kind is IngestEventKind.DOCUMENT_PROGRESS:
            self._document = (event.source, event.chunks)
        if not self.tty and not self.quiet:
            self._log_long_document(event)
        if not self.tty or self.quiet:
            return
        now = time.perf_counter()
        if event.kind is IngestEventKind.FINISHED:
            self._clear()
        elif now - self._last >= 0.1:
            self._last = now
            print("\r" + self.render(event, now - self._began), end="", file=self.stream,
                  flush=True)

    def _log_long_document(self, event: IngestEvent) -> None:
        """Without a terminal, a long document still shows life every few seconds."""
        now = time.perf_counter()
        if event.kind is IngestEventKind.DOCUMENT_PROGRESS and now - self._last >= 5.0:
            self._last = now
            print(f"  {event.collection}/{event.source}: {event.chunks} chunks indexed",
                  file=self.stream, flush=True)

    def render(self, event: IngestEvent, seconds: float, width: int = 30) -> str:
        total = max(event.documents_total, 1)
        filled = int(width * min(event.documents_done, total) / total)
        rate = event.chunks_done / seconds if seconds > 0 else 0.0
        line = (f"{event.collection} [{'#' * filled}{'.' * (width - filled)}] "
                f"{event.documents_done}/{event.documents_total} documents, "
                f"{event.chunks_done} chunks ({rate:.0f}/s)")
        if self._document is not None and event.kind is not IngestEventKind.DOCUMENT_INDEXED:
            line += f"; {self._document[0]}: {self._document[1]} chunks in"
        return line

    def _clear(self) -> None:
        if self.tty and not self.quiet:
            print("\r\x1b[K", end="", file=self.stream, flush=True)


def _with_kb(args: argparse.Namespace, root: Path, options: KbOptions,
             job: Callable[[KnowledgeBase], Awaitable[T]]) -> T | None:
    """Run ``job(kb)`` with the embedder loaded; None (after printing why) on failure."""
    try:
        embedder = MiniLmOnnxEmbedder(_model_dir(args))
    except EngineError as error:
        _fail(error.message)
        return None

    async def run() -> T:
        async with KnowledgeBase(root, embedder, options) as kb:
            return await job(kb)

    try:
        return asyncio.run(run())
    except EngineError as error:
        _fail(error.message)
        return None
    except OSError as error:  # a file system failure outside the index (its folder, say)
        _fail(DiskFull().message if is_disk_full(error) else
              f"{error.strerror or error}: {error.filename or root}")
        return None
    finally:
        embedder.close()


def _model_dir(args: argparse.Namespace) -> Path:
    if args.model_dir is not None:
        return Path(args.model_dir)
    from app.commands.models import ProgressBar, manager

    models = manager()
    if not models.status(MODEL).installed:
        print(f"model {MODEL} is not installed yet: pulling it", file=sys.stderr)
    return models.ensure(MODEL, ProgressBar()).parent


def _collection_folders(path: Path) -> list[Path]:
    from engine.kb.sources import leaves_package, package_collections

    if path.name.endswith(".gbai"):
        packages = sorted(p for p in path.iterdir() if p.is_dir() and p.name.endswith(".gbkb"))
        for gbkb in packages:
            if leaves_package(gbkb):
                raise KbError(f"{gbkb.name} is a link to a place outside the bot package: "
                              "not indexed")
        return [folder for gbkb in packages for folder in package_collections(gbkb)]
    if path.name.endswith(".gbkb"):
        return package_collections(path)
    return [path]


def _bot_of(path: Path) -> str | None:
    for part in (path, *path.parents):
        if part.name.endswith(".gbai"):
            return part.name.removesuffix(".gbai")
    return None


def _only_bot(paths: AppPaths) -> str | None:
    bots = indexed_bots(paths)
    return bots[0] if len(bots) == 1 else None


def _chunking(args: argparse.Namespace) -> ChunkingOptions:
    return ChunkingOptions(size=args.chunk_size, overlap=args.overlap)


def _report_line(report: IngestReport) -> str:
    line = (f"{report.collection}: {len(report.indexed)} indexed, {report.unchanged} unchanged, "
            f"{len(report.removed)} removed, {len(report.failed)} failed; "
            f"{report.documents} documents, {report.chunks} new chunks in {report.seconds:.1f} s")
    if report.rebuilt:
        line += " (index rebuilt: the model or chunking changed)"
    for failure in report.failed:
        line += f"\n  ! {failure.source}: {failure.reason}"
    return line


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _preview(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def _fail(message: str) -> int:
    print(f"hearth: {message}", file=sys.stderr)
    return 1
