"""What the S3 store promises beyond the object store contract: multipart uploads for long
streams (aborted when the stream fails), roots that keep stores apart in one bucket, URLs
that never carry a secret, and typed failures. Runs on the session's SeaweedFS server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from engine.storage.errors import (
    InvalidKeyError,
    ObjectStoreError,
    StorageUnavailableError,
    StorageUrlError,
)
from engine.storage.objects.s3 import MIN_PART_SIZE, S3ObjectStore
from engine.storage.urls import object_store_from_url
from tests.services.s3 import ACCESS_KEY, BUCKET, SECRET_ENV, S3Server

pytestmark = pytest.mark.anyio

MIB = 1024 * 1024


async def pieces(data: bytes, size: int, fail_after: int | None = None) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        if fail_after is not None and start >= fail_after:
            raise ConnectionError("upload cut")
        yield data[start:start + size]


def uploads_in_progress(server: S3Server) -> list[str]:
    answer = server.client().list_multipart_uploads(Bucket=BUCKET)
    return [upload["Key"] for upload in answer.get("Uploads", [])]


async def test_the_url_builds_the_store(s3_server: S3Server) -> None:
    store = object_store_from_url(s3_server.url("some/root") + "&part_size=6291456&pool=4")
    assert isinstance(store, S3ObjectStore)
    assert (store.bucket, store.root, store.address.endpoint) == (
        BUCKET, "some/root/", s3_server.endpoint)
    address = store.address
    assert address.access_key == ACCESS_KEY and address.secret == f"env:{SECRET_ENV}"
    assert (store._part_size, address.pool, address.region) == (6 * MIB, 4, "us-east-1")
    assert f"env:{SECRET_ENV}" not in address.describe


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://key@bucket?endpoint=http://h:1", "secret=keyring:NAME"),
        ("s3://key@bucket?endpoint=http://h:1&secret=literal-secret", "never written"),
        ("s3:///no-bucket", "names its bucket"),
        ("s3://key:secret@bucket", "password"),
        ("s3://bucket/../up?endpoint=http://h:1", "'..'"),
    ],
)
async def test_urls_never_carry_a_secret(url: str, message: str) -> None:
    with pytest.raises((StorageUrlError, InvalidKeyError), match=message):
        await object_store_from_url(url).open()


async def test_a_long_stream_goes_up_in_parts(s3_server: S3Server) -> None:
    data = bytes(range(256)) * (11 * MIB // 256 + 7)  # 11 MiB and a bit: three parts
    async with object_store_from_url(s3_server.url() + f"&part_size={MIN_PART_SIZE}") as store:
        info = await store.put("big/video.bin", pieces(data, 700_000))
        assert info.size == len(data)
        assert (await store.stat("big/video.bin")).size == len(data)
        assert await store.get("big/video.bin") == data
        sizes = [len(c) async for c in store.stream("big/video.bin", chunk_size=4 * MIB)]
        assert sizes == [4 * MIB, 4 * MIB, len(data) - 8 * MIB]


async def test_a_failed_long_stream_keeps_the_old_object_and_no_upload(
    s3_server: S3Server,
) -> None:
    data = b"n" * (7 * MIB)
    async with object_store_from_url(s3_server.url() + f"&part_size={MIN_PART_SIZE}") as store:
        await store.put("doc", b"old")
        with pytest.raises(ConnectionError):
            await store.put("doc", pieces(data, MIB, fail_after=6 * MIB))  # after part 1
        assert await store.get("doc") == b"old"
        assert not [key for key in uploads_in_progress(s3_server) if key.endswith("/doc")]


async def test_roots_keep_stores_apart_in_one_bucket(s3_server: S3Server) -> None:
    async with object_store_from_url(s3_server.url("team-a")) as a, \
            object_store_from_url(s3_server.url("team-a-2")) as a2:
        await a.put("notes.txt", b"a")
        await a2.put("notes.txt", b"a2")
        assert [info.key async for info in a.list()] == ["notes.txt"]
        assert await a.get("notes.txt") == b"a"
        with pytest.raises(InvalidKeyError, match="too long"):
            await a.put("x" * 1020, b"fits alone, not under the root")


async def test_a_missing_bucket_is_named(s3_server: S3Server) -> None:
    with pytest.raises(ObjectStoreError, match="does not exist"):
        await object_store_from_url(s3_server.url(bucket="no-such-bucket")).open()


async def test_a_wrong_secret_is_refused_without_showing_it(
    s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_TEST_WRONG_S3_SECRET", "wrong-secret-value-42")
    url = s3_server.url().replace(SECRET_ENV, "HEARTH_TEST_WRONG_S3_SECRET")
    with pytest.raises(ObjectStoreError, match="refused access") as err:
        await object_store_from_url(url).open()
    assert "wrong-secret-value-42" not in str(err.value)
    assert s3_server.secret not in str(err.value)


async def test_an_unreachable_endpoint_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"s3://bucket?endpoint=http://127.0.0.1:{port}&anonymous=true"
    started = asyncio.get_running_loop().time()
    with pytest.raises(StorageUnavailableError, match="unavailable"):
        await object_store_from_url(url).open()
    assert asyncio.get_running_loop().time() - started < 10
