"""A user's own models (``hearth models add``): a GGUF file from this machine, or a catalog
entry of their own that points at a URL.

An imported file must be a GGUF that llama.cpp's loader opens: the check runs the loader in
a child process (``vocab_only``: reads the header, the metadata and the vocabulary, not the
weights), so a malformed file that would crash llama.cpp never takes the application down.
The file is copied into ``models_dir/NAME/`` while its sha256 is computed, a manifest is
written as for a catalog model, and the entry (size, sha256, where it came from) is recorded
in ``models_dir/user-models.json``; from then on the model is listed, verified, removed and
chosen (settings, ``USE MODEL``, ``llm-model``) like any other.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from engine.llm.models import (
    USER_CATALOG,
    ImportedSource,
    Manifest,
    ModelError,
    ModelManager,
    ModelSpec,
    Progress,
    UrlSource,
    _HashingFile,
    _now,
    user_specs,
)

GGUF_MAGIC = b"GGUF"
CHECK_SECONDS = 120
_CHECK = ("import sys, llama_cpp\n"
          "llama_cpp.Llama(sys.argv[1], vocab_only=True, verbose=False)\n")


def add_gguf(manager: ModelManager, file: Path, name: str | None = None,
             progress: Progress | None = None) -> ModelSpec:
    """Import ``file`` as the chat model ``name`` (default: from the file name)."""
    file = file.expanduser().resolve()
    if not file.is_file():
        raise ModelError(f"no file {file}")
    name = name or plain_name(file.stem)
    _check_new_name(manager, name)
    with file.open("rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise ModelError(f"{file.name} is not a GGUF file")
    check_with_llama_cpp(file)
    manager.models_dir.mkdir(parents=True, exist_ok=True)
    size = file.stat().st_size
    with tempfile.TemporaryDirectory(prefix=f".add-{name}-", dir=manager.models_dir) as work:
        staging = Path(work) / "model"
        staging.mkdir()
        target = f"{name}.gguf"
        sha256 = _copy(file, staging / target, progress)
        spec = ModelSpec(name=name, role="chat", default=False,
                         description=f"imported from {file.name}", format="gguf",
                         licence="see the model's own licence", size=size, sha256=sha256,
                         file=target, source=ImportedSource(imported_from=str(file)))
        now = _now()
        Manifest(name, sha256, size, now, {target: sha256}, (f"file:{file}",), now
                 ).write(staging)
        staging.rename(manager.models_dir / name)
    record(manager, spec)
    return spec


def add_url(manager: ModelManager, url: str, name: str, size: int, sha256: str,
            progress: Progress | None = None) -> ModelSpec:
    """Record a catalog entry of the user's own for ``url`` and pull it (resumable,
    verified against ``size`` and ``sha256``)."""
    _check_new_name(manager, name)
    try:
        spec = ModelSpec(name=name, role="chat", default=False, description=f"from {url}",
                         format="gguf", licence="see the model's own licence", size=size,
                         sha256=sha256.lower(), file=f"{name}.gguf", source=UrlSource(url=url))
    except ValueError as error:
        raise ModelError(f"cannot add {url}: {error}") from error
    record(manager, spec)
    manager.pull(name, progress)
    return spec


def check_with_llama_cpp(file: Path) -> None:
    """ModelError unless llama.cpp's loader opens ``file`` (in a child process)."""
    try:
        done = subprocess.run([sys.executable, "-c", _CHECK, str(file)], capture_output=True,
                              text=True, timeout=CHECK_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise ModelError(f"llama.cpp did not open {file.name} within {CHECK_SECONDS} s"
                         ) from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["it exited with an error"])[-1]
        raise ModelError(f"llama.cpp cannot load {file.name}: {reason[:200]}")


def record(manager: ModelManager, spec: ModelSpec) -> None:
    """Add ``spec`` to the user's catalog file (atomically) and to ``manager``."""
    entries = [s for s in user_specs(manager.models_dir) if s.name != spec.name] + [spec]
    path = manager.models_dir / USER_CATALOG
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{USER_CATALOG}.tmp")
    temporary.write_text(json.dumps({"version": 1, "models": [
        s.model_dump(mode="json") for s in entries]}, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    manager.catalog = manager.catalog.including([spec])


def plain_name(stem: str) -> str:
    """A model name from a file name: letters, digits, ``.``, ``_`` and ``-``."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._").lower()
    return name or "imported-model"


def _check_new_name(manager: ModelManager, name: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise ModelError(f"invalid model name {name!r}: use letters, digits, '.', '_', '-'")
    if name in manager.catalog.names or (manager.models_dir / name).exists():
        raise ModelError(f"a model named {name} already exists; choose another with --name")


def _copy(source: Path, target: Path, progress: Progress | None) -> str:
    output = _HashingFile(target, appendable=False)
    total, done = source.stat().st_size, 0

    def tick(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(f"import {source.name}", done, total)

    try:
        with source.open("rb") as stream:
            output.copy_from(stream, tick)
    finally:
        output.close()
    return output.digest.hexdigest()


def forget(manager: ModelManager, name: str) -> bool:
    """Drop ``name`` from the user's catalog file; whether it was there."""
    entries = user_specs(manager.models_dir)
    if not any(s.name == name for s in entries):
        return False
    path = manager.models_dir / USER_CATALOG
    temporary = path.with_name(f".{USER_CATALOG}.tmp")
    temporary.write_text(json.dumps({"version": 1, "models": [
        s.model_dump(mode="json") for s in entries if s.name != name]}, indent=2) + "\n",
        encoding="utf-8")
    temporary.replace(path)
    return True
