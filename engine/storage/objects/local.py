"""Objects as files under a root folder: the embedded :class:`ObjectStore`.

Key ``a/b.txt`` is the file ``ROOT/a/b.txt``. A write goes to a temporary file in
``ROOT/.hearth-tmp``, is flushed and fsync'd, then ``os.replace``'d over the target (atomic on
POSIX and Windows) and the folder is fsync'd: a crash leaves the old object or the new one.
Keys are checked before use and every path is resolved and confirmed to be inside the root,
so neither a key nor a symbolic link planted in the folder can reach outside it.

Unlike S3, a file system cannot hold both ``a`` and ``a/b``: such a ``put`` raises
:class:`ObjectStoreError`. File I/O runs on the store's own small thread pool.
"""

from __future__ import annotations

import asyncio
import errno
import os
import tempfile
import threading
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

from engine.storage.errors import DiskFull, ObjectNotFoundError, ObjectStoreError
from engine.storage.lifecycle import Lifecycle
from engine.storage.objects.keys import RESERVED_PREFIX, check_key, check_prefix
from engine.storage.objects.protocol import DEFAULT_CHUNK_SIZE, ObjectInfo

if TYPE_CHECKING:
    from engine.storage.urls import StorageUrl

T = TypeVar("T")

TEMP_DIR = RESERVED_PREFIX + "tmp"
STALE_TEMP_SECONDS = 3600.0


class LocalObjectStore(Lifecycle):
    """An :class:`~engine.storage.objects.protocol.ObjectStore` in the folder ``root``."""

    def __init__(self, root: str | os.PathLike[str], *, threads: int = 4) -> None:
        self.root = Path(root)
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._real_root = ""

    @classmethod
    def from_url(cls, url: StorageUrl) -> LocalObjectStore:
        """``file:///absolute/folder``."""
        return cls(url.local_path())

    @property
    def _describe(self) -> str:
        return f"object store {self.root}"

    async def _open(self) -> None:
        self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="objects")
        self._real_root = await self._call(_prepare_root, self.root)

    async def _close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown)

    # --- ObjectStore --------------------------------------------------------------------------

    async def put(self, key: str, data: bytes | AsyncIterable[bytes]) -> ObjectInfo:
        target = self._path(check_key(key))
        if isinstance(data, bytes | bytearray | memoryview):
            return await self._call(_write_all, self._real_root, target, key, bytes(data))
        sink = await self._call(_TempFile, self._real_root, target, key)
        try:
            async for chunk in data:
                await self._call(sink.write, chunk)
            return await self._call(sink.commit)
        finally:
            await self._call(sink.discard)

    async def get(self, key: str) -> bytes:
        return await self._call(_read_all, self._real_root, self._path(check_key(key)), key)

    async def stream(
        self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> AsyncIterator[bytes]:
        path = self._path(check_key(key))
        source = await self._call(_open_for_reading, self._real_root, path, key)
        try:
            while chunk := await self._call(_read_chunk, source, key, chunk_size):
                yield chunk
        finally:
            await self._call(source.close)

    async def delete(self, key: str) -> None:
        await self._call(_delete, self._real_root, self._path(check_key(key)), key)

    async def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        check_prefix(prefix)
        for info in await self._call(_list, self._real_root, prefix):
            yield info

    async def exists(self, key: str) -> bool:
        path = self._path(check_key(key))
        return await self._call(lambda: _inside(self._real_root, path, key).is_file())

    async def stat(self, key: str) -> ObjectInfo:
        return await self._call(_stat, self._real_root, self._path(check_key(key)), key)

    # --- helpers ------------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return Path(self._real_root, *key.split("/"))

    async def _call(self, function: Callable[..., T], *args: object) -> T:
        self._check_open_or_opening()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, *args))

    def _check_open_or_opening(self) -> None:
        if self._executor is None:
            self._check_open()


# --- file-system steps (run in the store's threads) ---------------------------------------------


@contextmanager
def _translated(key: str, action: str) -> Iterator[None]:
    """OSError to the storage tree; on reads, a missing file or folder means no object."""
    try:
        yield
    except IsADirectoryError as exc:
        if action == "write":
            raise ObjectStoreError(f"cannot write {key!r}: other objects are under {key}/") from exc
        raise ObjectNotFoundError(key) from exc
    except (NotADirectoryError, FileExistsError) as exc:
        if action == "write":
            message = f"cannot write {key!r}: an object holds a part of its path"
            raise ObjectStoreError(message) from exc
        raise ObjectNotFoundError(key) from exc
    except FileNotFoundError as exc:
        if action == "write":
            raise ObjectStoreError(f"cannot write {key!r}: {exc.strerror or exc}") from exc
        raise ObjectNotFoundError(key) from exc
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull(f"object {key!r} was not written") from exc
        raise ObjectStoreError(f"cannot {action} object {key!r}: {exc.strerror or exc}") from exc


def _prepare_root(root: Path) -> str:
    try:
        (root / TEMP_DIR).mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(root / TEMP_DIR)
        return os.path.realpath(root)
    except OSError as exc:
        raise ObjectStoreError(f"cannot use {root} as an object store: {exc}") from exc


def _remove_stale_temporaries(folder: Path) -> None:
    """Left by a crash; recent ones may belong to another process writing right now."""
    deadline = time.time() - STALE_TEMP_SECONDS
    for entry in folder.iterdir():
        if entry.stat().st_mtime < deadline:
            entry.unlink(missing_ok=True)


def _inside(real_root: str, path: Path, key: str) -> Path:
    """``path`` if, with every link followed, it is still under the root."""
    real = os.path.realpath(path)
    if os.path.commonpath([real_root, real]) != real_root:
        raise ObjectStoreError(f"object {key!r} leads outside the store")
    return path


class _TempFile:
    """A temporary file that becomes the object on :meth:`commit`.

    The target's folders are made only when committing, so a failed ``put`` leaves nothing
    behind. The steps run on pool threads; a lock keeps a cancelled ``put``'s cleanup from
    running while the write it gave up on is still going."""

    def __init__(self, real_root: str, target: Path, key: str) -> None:
        self._real_root = real_root
        self._target = target
        self._key = key
        self._lock = threading.Lock()
        self._done = False
        _inside(real_root, target, key)
        with _translated(key, "write"):
            handle, self._name = tempfile.mkstemp(dir=Path(real_root, TEMP_DIR), suffix=".part")
            self._file = os.fdopen(handle, "wb")

    def write(self, chunk: bytes) -> None:
        with self._lock, _translated(self._key, "write"):
            self._file.write(chunk)

    def commit(self) -> ObjectInfo:
        with self._lock, _translated(self._key, "write"):
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            _inside(self._real_root, self._target, self._key)
            self._target.parent.mkdir(parents=True, exist_ok=True)
            _inside(self._real_root, self._target, self._key)
            os.replace(self._name, self._target)
            self._done = True
            _sync_folder(self._target.parent)
            return _info(self._key, self._target.stat())

    def discard(self) -> None:
        with self._lock:
            if not self._done:
                self._file.close()
                Path(self._name).unlink(missing_ok=True)
                self._done = True


def _write_all(real_root: str, target: Path, key: str, data: bytes) -> ObjectInfo:
    sink = _TempFile(real_root, target, key)
    try:
        sink.write(data)
        return sink.commit()
    finally:
        sink.discard()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX only: Windows cannot open a folder)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _read_all(real_root: str, path: Path, key: str) -> bytes:
    with _translated(key, "read"):
        return _inside(real_root, path, key).read_bytes()


def _open_for_reading(real_root: str, path: Path, key: str) -> IO[bytes]:
    with _translated(key, "read"):
        return _inside(real_root, path, key).open("rb")


def _read_chunk(source: IO[bytes], key: str, size: int) -> bytes:
    with _translated(key, "read"):
        return source.read(size)


def _stat(real_root: str, path: Path, key: str) -> ObjectInfo:
    with _translated(key, "read"):
        status = _inside(real_root, path, key).stat()
    if not path.is_file():
        raise ObjectNotFoundError(key)
    return _info(key, status)


def _info(key: str, status: os.stat_result) -> ObjectInfo:
    modified = datetime.fromtimestamp(status.st_mtime, UTC)
    return ObjectInfo(key, status.st_size, modified)


def _delete(real_root: str, path: Path, key: str) -> None:
    if path.is_dir():
        return  # "key/" is only the folder of other objects: there is no object "key"
    try:
        with _translated(key, "delete"):
            _inside(real_root, path, key).unlink()
    except ObjectNotFoundError:
        return
    _prune_empty_folders(Path(real_root), path.parent)


def _prune_empty_folders(root: Path, folder: Path) -> None:
    """Remove folders left empty, so that a later ``put("a")`` is not blocked by ``a/``."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _list(real_root: str, prefix: str) -> list[ObjectInfo]:
    root = Path(real_root)
    folder, _, _ = prefix.rpartition("/")
    start = Path(real_root, *folder.split("/")) if folder else root
    found = []
    for current, folders, files in os.walk(start):
        folders[:] = [f for f in folders if not f.startswith(RESERVED_PREFIX)]
        base = Path(current).relative_to(root).as_posix()
        for name in files:
            key = name if base == "." else f"{base}/{name}"
            if key.startswith(prefix) and not name.startswith(RESERVED_PREFIX):
                found.append(_listed(Path(current, name), key))
    return sorted((info for info in found if info is not None), key=lambda info: info.key)


def _listed(path: Path, key: str) -> ObjectInfo | None:
    try:
        if path.is_symlink():
            return None  # never describe what a link points at: it may be outside the root
        return _info(key, path.stat())
    except OSError:
        return None  # deleted while we listed
