"""What ingestion reads: documents of a folder, or pages fetched from a website.

A :class:`SourceItem` names a document by its *key* (a ``/``-separated path inside the
collection folder, or a URL), carries a cheap fingerprint (size and mtime) used to skip an
unchanged file without reading it, and reads its bytes on demand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.kb.extract import supports

GBKB_SUFFIX = ".gbkb"


@dataclass(frozen=True, slots=True)
class SourceItem:
    key: str
    name: str
    """File name used to pick the reader (its extension matters)."""
    size: int
    mtime_ns: int
    read: Callable[[], bytes]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bytes_item(key: str, name: str, data: bytes) -> SourceItem:
    """An in-memory document (a crawled page, a benchmark passage)."""
    return SourceItem(key, name, len(data), 0, lambda: data)


def collection_name(folder: Path) -> str:
    """``USE KB`` name of a folder: its own name (``bot.gbkb`` for a package's root files)."""
    return folder.resolve().name


def scan_folder(folder: Path) -> tuple[list[SourceItem], list[str]]:
    """Supported files of a collection folder and the keys of unsupported ones.

    A ``*.gbkb`` folder is the collection of the files *directly* in it (its sub-folders are
    collections of their own); any other folder is taken whole, sub-folders included. Hidden
    files and folders (``.name``) and Office lock files (``~$name``) are ignored.
    """
    root = folder.resolve()
    recursive = not root.name.lower().endswith(GBKB_SUFFIX)
    items: list[SourceItem] = []
    unsupported: list[str] = []
    for path in sorted(_files(root, recursive)):
        key = path.relative_to(root).as_posix()
        if not supports(path.name):
            unsupported.append(key)
            continue
        stat = path.stat()
        items.append(SourceItem(key, path.name, stat.st_size, stat.st_mtime_ns,
                                _reader(path)))
    return items, unsupported


def package_collections(gbkb: Path) -> list[Path]:
    """The collection folders of a ``.gbkb`` package: itself (root files), then sub-folders."""
    subfolders = sorted(p for p in gbkb.iterdir() if p.is_dir() and not _hidden(p.name))
    return [gbkb, *subfolders]


def _files(root: Path, recursive: bool) -> Iterator[Path]:
    for path in root.iterdir():
        if _hidden(path.name):
            continue
        if path.is_dir():
            if recursive:
                yield from _files(path, recursive)
        elif path.is_file():
            yield path


def _hidden(name: str) -> bool:
    return name.startswith((".", "~$"))


def _reader(path: Path) -> Callable[[], bytes]:
    return path.read_bytes
