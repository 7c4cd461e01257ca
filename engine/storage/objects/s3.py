"""Objects in an S3-compatible bucket: the shared :class:`ObjectStore`, through aiobotocore.

``s3://[ACCESS_KEY@]bucket[/root]?endpoint=URL&secret=keyring:NAME&part_size=BYTES`` (the
address, credentials and client options: :mod:`engine.storage.objects.s3_address`). Key
``k`` is the S3 object ``root/k``, so one bucket can hold several stores.

Writes are atomic as S3 makes them: a PUT or a completed multipart upload replaces the
object whole. A streamed ``put`` keeps at most one part (``part_size``, default 8 MiB, at
least 5 MiB) in memory: it becomes one PUT if it ends within the first part, else a
multipart upload that is aborted when the stream fails. ``open()`` checks that the bucket
exists; it does not create it.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from engine.storage.errors import InvalidKeyError, ObjectNotFoundError
from engine.storage.lifecycle import Lifecycle
from engine.storage.objects.keys import MAX_KEY_BYTES, check_key, check_prefix
from engine.storage.objects.protocol import DEFAULT_CHUNK_SIZE, ObjectInfo
from engine.storage.objects.s3_address import S3Address
from engine.storage.objects.s3_errors import translated

if TYPE_CHECKING:
    from engine.storage.urls import StorageUrl

MIN_PART_SIZE = 5 * 1024 * 1024  # S3's smallest part (all but the last)
DEFAULT_PART_SIZE = 8 * 1024 * 1024


class S3ObjectStore(Lifecycle):
    """An :class:`~engine.storage.objects.protocol.ObjectStore` under ``address.root`` in
    ``address.bucket``."""

    def __init__(self, address: S3Address, *, part_size: int = DEFAULT_PART_SIZE) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size is at least {MIN_PART_SIZE} bytes")
        self.address = address
        self.bucket = address.bucket
        self.root = address.root
        self._part_size = part_size
        self._stack: AsyncExitStack | None = None
        self._client: Any = None

    @classmethod
    def from_url(cls, url: StorageUrl) -> S3ObjectStore:
        part_size = url.int_option("part_size", DEFAULT_PART_SIZE)
        return cls(S3Address.from_url(url), part_size=part_size)

    @property
    def _describe(self) -> str:
        return self.address.describe

    async def _open(self) -> None:
        stack = AsyncExitStack()
        try:
            self._client = await stack.enter_async_context(self.address.client())
            with translated(self._describe, "open"):
                await self._client.head_bucket(Bucket=self.bucket)
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack

    async def _close(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    # --- ObjectStore --------------------------------------------------------------------------

    async def put(self, key: str, data: bytes | AsyncIterable[bytes]) -> ObjectInfo:
        name = self._name(key)
        if isinstance(data, bytes | bytearray | memoryview):
            return await self._put_whole(key, name, bytes(data))
        buffer = bytearray()
        upload: _MultipartUpload | None = None
        try:
            async for chunk in data:
                buffer += chunk
                while len(buffer) >= self._part_size:
                    if upload is None:
                        upload = await _MultipartUpload.start(self, key, name)
                    await upload.add(bytes(buffer[: self._part_size]))
                    del buffer[: self._part_size]
            if upload is None:
                return await self._put_whole(key, name, bytes(buffer))
            if buffer:
                await upload.add(bytes(buffer))
            return await upload.complete()
        except BaseException:
            if upload is not None:
                await upload.abort()
            raise

    async def get(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.stream(key, chunk_size=1 << 20)])

    async def stream(
        self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> AsyncIterator[bytes]:
        name = self._name(key)
        with translated(self._describe, "read", key):
            answer = await self._client.get_object(Bucket=self.bucket, Key=name)
        async with answer["Body"] as body:
            while True:
                with translated(self._describe, "read", key):
                    chunk = await _read_up_to(body, chunk_size)
                if not chunk:
                    return
                yield chunk

    async def delete(self, key: str) -> None:
        name = self._name(key)
        with translated(self._describe, "delete", key):
            await self._client.delete_object(Bucket=self.bucket, Key=name)

    async def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        check_prefix(prefix)
        self._check_open()
        found: list[ObjectInfo] = []
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.root + prefix
        )
        with translated(self._describe, "list"):
            async for page in pages:
                found.extend(
                    ObjectInfo(item["Key"][len(self.root):], item["Size"], item["LastModified"])
                    for item in page.get("Contents", ())
                )
        # S3 lists in UTF-8 byte order (the same as str order); not every S3-compatible
        # server does across "folders", so the order is made here.
        for info in sorted(found, key=lambda info: info.key):
            yield info

    async def exists(self, key: str) -> bool:
        try:
            await self.stat(key)
        except ObjectNotFoundError:
            return False
        return True

    async def stat(self, key: str) -> ObjectInfo:
        name = self._name(key)
        with translated(self._describe, "read", key):
            head = await self._client.head_object(Bucket=self.bucket, Key=name)
        return ObjectInfo(key, int(head["ContentLength"]), head["LastModified"])

    # --- helpers ------------------------------------------------------------------------------

    def _name(self, key: str) -> str:
        name = self.root + check_key(key)
        if len(name.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
            raise InvalidKeyError(f"object key {key!r} is too long under the root {self.root!r}")
        self._check_open()
        return name

    async def _put_whole(self, key: str, name: str, data: bytes) -> ObjectInfo:
        with translated(self._describe, "write", key):
            answer = await self._client.put_object(Bucket=self.bucket, Key=name, Body=data)
        return ObjectInfo(key, len(data), _server_time(answer))


class _MultipartUpload:
    """One multipart upload: parts added in order, then completed (or aborted)."""

    def __init__(self, store: S3ObjectStore, key: str, name: str, upload_id: str) -> None:
        self._store, self._key, self._name, self._id = store, key, name, upload_id
        self._parts: list[dict[str, Any]] = []
        self._size = 0

    @classmethod
    async def start(cls, store: S3ObjectStore, key: str, name: str) -> _MultipartUpload:
        with translated(store._describe, "write", key):
            answer = await store._client.create_multipart_upload(Bucket=store.bucket, Key=name)
        return cls(store, key, name, answer["UploadId"])

    async def add(self, part: bytes) -> None:
        number = len(self._parts) + 1
        with translated(self._store._describe, "write", self._key):
            answer = await self._store._client.upload_part(
                Bucket=self._store.bucket, Key=self._name, UploadId=self._id,
                PartNumber=number, Body=part,
            )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})
        self._size += len(part)

    async def complete(self) -> ObjectInfo:
        with translated(self._store._describe, "write", self._key):
            answer = await self._store._client.complete_multipart_upload(
                Bucket=self._store.bucket, Key=self._name, UploadId=self._id,
                MultipartUpload={"Parts": self._parts},
            )
        return ObjectInfo(self._key, self._size, _server_time(answer))

    async def abort(self) -> None:
        """Best effort: a leftover upload is invisible and expires by the bucket's rules."""
        try:
            with translated(self._store._describe, "write", self._key):
                await self._store._client.abort_multipart_upload(
                    Bucket=self._store.bucket, Key=self._name, UploadId=self._id
                )
        except Exception:  # the original failure is what the caller must see
            return


async def _read_up_to(body: Any, size: int) -> bytes:
    """Exactly ``size`` bytes, fewer only at the end (a socket read may return less)."""
    chunk = bytearray()
    while len(chunk) < size:
        piece: bytes = await body.read(size - len(chunk))
        if not piece:
            break
        chunk += piece
    return bytes(chunk)


def _server_time(answer: dict[str, Any]) -> datetime:
    """When the server stored the object: its ``Date`` header (S3 keeps whole seconds too)."""
    date = answer.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    try:
        return parsedate_to_datetime(date).astimezone(UTC) if date else datetime.now(UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)
