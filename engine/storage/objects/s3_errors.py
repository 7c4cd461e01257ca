"""botocore's exceptions, as the storage error tree, for :mod:`engine.storage.objects.s3`.

S3 answers with an error code (``NoSuchKey``, ``AccessDenied``...) and an HTTP status; a
HEAD request has no body, so only its status (``"404"``) arrives as the code. Transport
failures (refused, timed out, cut mid-body) mean the server is unavailable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from engine.storage.errors import (
    DiskFull,
    InvalidKeyError,
    ObjectNotFoundError,
    ObjectStoreError,
    StorageError,
    StorageUnavailableError,
)

NOT_FOUND = frozenset({"NoSuchKey", "404", "NotFound"})
DENIED = frozenset({"AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch",
                    "InvalidToken", "ExpiredToken"})
UNAVAILABLE = frozenset({"ServiceUnavailable", "SlowDown", "503", "RequestTimeout",
                         "InternalError", "500"})
FULL = frozenset({"InsufficientStorage", "XMinioStorageFull", "QuotaExceeded", "507"})
TOO_LONG = frozenset({"KeyTooLongError"})


@contextmanager
def translated(where: str, action: str, key: str | None = None) -> Iterator[None]:
    """Map what botocore raises while ``action``-ing ``key`` at ``where`` (bucket and
    endpoint; never credentials) to :class:`StorageError` subclasses."""
    try:
        yield
    except ClientError as exc:
        raise _from_client_error(exc, where, action, key) from exc
    except (BotoConnectionError, ConnectionClosedError, ReadTimeoutError, HTTPClientError) as exc:
        raise StorageUnavailableError(f"{where} is unavailable: {exc}") from exc
    except (NoCredentialsError, PartialCredentialsError) as exc:
        message = (f"{where}: no S3 credentials: give the access key as the URL's user and "
                   "secret=keyring:NAME, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        raise ObjectStoreError(message) from exc
    except BotoCoreError as exc:
        raise ObjectStoreError(f"{where}: cannot {action} {_what(key)}: {exc}") from exc


def _from_client_error(exc: ClientError, where: str, action: str, key: str | None
                       ) -> StorageError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    if code in NOT_FOUND and key is not None:
        return ObjectNotFoundError(key)
    if code == "NoSuchBucket" or (code in NOT_FOUND and key is None):
        return ObjectStoreError(f"{where}: the bucket does not exist")
    if code in DENIED:
        return ObjectStoreError(f"{where} refused access ({code}): check the access key and "
                                "secret")
    if code in FULL or status == "507":
        return DiskFull(f"{where} has no room for {_what(key)}")
    if code in TOO_LONG:
        return InvalidKeyError(f"object key {key!r} is too long for {where}")
    if code in UNAVAILABLE or status in ("500", "502", "503", "504"):
        return StorageUnavailableError(f"{where} is unavailable ({code or status})")
    return ObjectStoreError(f"{where}: cannot {action} {_what(key)}: {code or status}")


def _what(key: str | None) -> str:
    return f"object {key!r}" if key is not None else "the bucket"
