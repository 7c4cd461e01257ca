"""``hearth models list | pull NAME... | add FILE.gguf | add URL --sha256 --size | verify [NAME]
| remove NAME``: the local model store.

Models are installed under the data folder (``AppPaths.models_dir``) from the catalog in
``resources/models``; nothing is downloaded unless the user asks here (or a command that needs
a model, such as ``hearth transcribe``, says that it is fetching it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from app.paths import AppPaths
from engine.llm.fit import MEMORY_FACTOR, OVERHEAD, available_memory, memory_fit
from engine.llm.models import ModelError, ModelManager, ModelStatus
from engine.llm.usermodels import add_gguf, add_url, forget


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("models", help="list, pull, verify and remove local models")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every catalog model and whether it is installed")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=run_list)
    pull = actions.add_parser("pull", help="download, verify and install models")
    pull.add_argument("names", nargs="*", metavar="NAME")
    pull.add_argument("--all-defaults", action="store_true",
                      help="every default model (chat, embeddings, speech)")
    pull.add_argument("--force", action="store_true", help="reinstall even when installed")
    pull.set_defaults(handler=run_pull)
    add = actions.add_parser("add", help="import your own GGUF file, or a model from a URL")
    add.add_argument("source", metavar="FILE|URL", help="a .gguf file, or an https URL")
    add.add_argument("--name", help="the model's name (default: from the file name)")
    add.add_argument("--sha256", help="for a URL: the file's sha256 (required)")
    add.add_argument("--size", type=int, help="for a URL: the file's size in bytes (required)")
    add.set_defaults(handler=run_add)
    verify = actions.add_parser("verify", help="re-check the sha256 of installed models")
    verify.add_argument("name", nargs="?", metavar="NAME", help="default: every installed model")
    verify.set_defaults(handler=run_verify)
    remove = actions.add_parser("remove", help="delete an installed model")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=run_remove)


def manager() -> ModelManager:
    return ModelManager(AppPaths.from_env().models_dir)


def run_list(args: argparse.Namespace) -> int:
    try:
        statuses = manager().list()
    except ModelError as error:
        return _fail(error)
    if args.json:
        print(json.dumps([_status_json(status) for status in statuses], indent=2))
        return 0
    available = available_memory()
    rows = [(s.spec.name, s.spec.role, "yes" if s.spec.default else "", _megabytes(s.spec.size),
             s.state, _fits(s, available), s.spec.description) for s in statuses]
    header = ("NAME", "ROLE", "DEFAULT", "SIZE", "STATE", "FITS MEMORY", "DESCRIPTION")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(6)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[6])
    print(f"({_megabytes(available)} of memory available now; a model needs about "
          f"{MEMORY_FACTOR:g}x its size + {_megabytes(OVERHEAD)})")
    return 0


def _fits(status: ModelStatus, available: int) -> str:
    fit = memory_fit(status.spec.size, available)
    return "yes" if fit.fits else f"no (needs {_megabytes(fit.needed)})"


def run_add(args: argparse.Namespace) -> int:
    models = manager()
    try:
        if args.source.startswith(("https://", "http://")):
            if not args.sha256 or not args.size or not args.name:
                print("hearth models add URL: --name, --sha256 and --size are required",
                      file=sys.stderr)
                return 1
            spec = add_url(models, args.source, args.name, args.size, args.sha256,
                           ProgressBar())
        else:
            spec = add_gguf(models, Path(args.source), args.name, ProgressBar())
    except ModelError as error:
        return _fail(error)
    print(f"added {spec.name} ({_megabytes(spec.size)}, sha256 {spec.sha256}); "
          f"choose it in the settings or with llm-model,{spec.name}")
    return 0


def run_pull(args: argparse.Namespace) -> int:
    models = manager()
    try:
        names = list(args.names) + ([s.name for s in models.catalog.defaults()]
                                   if args.all_defaults else [])
        if not names:
            print("hearth models pull: name a model, or use --all-defaults "
                  f"(models: {', '.join(models.catalog.names)})", file=sys.stderr)
            return 1
        for name in dict.fromkeys(names):
            if models.status(name).installed and not args.force:
                print(f"{name} is already installed ({models.path(name)})")
                continue
            path = models.pull(name, ProgressBar(), force=args.force)
            print(f"installed {name} ({_megabytes(path.stat().st_size)}) in {path.parent}")
    except ModelError as error:
        return _fail(error)
    return 0


def run_verify(args: argparse.Namespace) -> int:
    models = manager()
    try:
        names = [args.name] if args.name else [s.spec.name for s in models.list()
                                               if s.state != "not installed"]
    except ModelError as error:
        return _fail(error)
    if not names:
        print("no model is installed; nothing to verify")
        return 0
    failures = 0
    for name in names:
        try:
            models.verify(name, ProgressBar())
            print(f"{name}: ok")
        except ModelError as error:
            failures += 1
            _fail(error)
    return 1 if failures else 0


def run_remove(args: argparse.Namespace) -> int:
    models = manager()
    try:
        models.remove(args.name)
    except ModelError as error:
        return _fail(error)
    forget(models, args.name)  # a model of the user's own leaves the list too
    print(f"removed {args.name}")
    return 0


class ProgressBar:
    """A one-line progress bar on stderr, one line per stage (download, extract, verify).

    On a terminal the line is redrawn at most ten times a second; elsewhere (logs, CI) each
    stage prints one line when it completes.
    """

    WIDTH = 30

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._stage = ""
        self._drawn_at = 0.0
        self._finished: set[str] = set()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage in self._finished:
            return
        if stage != self._stage:
            self._stage = stage
            self._drawn_at = 0.0
        finished = total > 0 and done >= total
        if finished:
            self._finished.add(stage)
        now = time.monotonic()
        if self.live and (finished or now - self._drawn_at >= 0.1):
            self._drawn_at = now
            self.stream.write("\r" + self.render(stage, done, total) + ("\n" if finished else ""))
            self.stream.flush()
        elif finished and not self.live:
            print(self.render(stage, done, total), file=self.stream, flush=True)

    @classmethod
    def render(cls, stage: str, done: int, total: int) -> str:
        fraction = min(1.0, done / total) if total > 0 else 0.0
        filled = round(fraction * cls.WIDTH)
        bar = "#" * filled + "-" * (cls.WIDTH - filled)
        return (f"{stage[:44]:<44} [{bar}] {fraction:4.0%} "
                f"{_megabytes(done)}/{_megabytes(total)}")


def _status_json(status: ModelStatus) -> dict[str, object]:
    spec = status.spec
    manifest = status.manifest
    fit = memory_fit(spec.size)
    return {"name": spec.name, "role": spec.role, "default": spec.default, "size": spec.size,
            "state": status.state, "path": str(status.folder / spec.file),
            "fits_memory": fit.fits, "memory_needed": fit.needed,
            "memory_available": fit.available, "sha256": spec.sha256,
            "installed_at": manifest.installed_at if manifest else None,
            "verified_at": manifest.verified_at if manifest else None,
            "description": spec.description, "licence": spec.licence}


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _fail(error: ModelError) -> int:
    print(f"hearth: {error.message}", file=sys.stderr)
    return 1
