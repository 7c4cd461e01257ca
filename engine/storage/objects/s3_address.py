"""Where an S3 store lives and how to reach it: the URL, the credentials, the client.

``s3://[ACCESS_KEY@]bucket[/root]?endpoint=URL&region=R&secret=keyring:NAME&pool=N``.
``endpoint`` is the server (omit it for AWS itself; path-style addressing is used when it is
given, which every S3-compatible server understands). The access key, not a secret, may be
the URL's user; its secret is then named by ``secret`` (``keyring:NAME`` or ``env:NAME``,
see :mod:`engine.storage.secrets`) and never written in the URL. Without a user, botocore's
usual chain applies (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``~/.aws``,
``?profile=``); ``?anonymous=true`` sends unsigned requests. ``pool`` (default 10) bounds
the connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from aiobotocore.session import get_session
from botocore import UNSIGNED
from botocore.config import Config

from engine.storage.errors import StorageUrlError
from engine.storage.objects.keys import check_key
from engine.storage.secrets import resolve_secret

if TYPE_CHECKING:
    from engine.storage.urls import StorageUrl

_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True, slots=True)
class S3Address:
    """A bucket, the root folder in it (``""`` or ending in ``/``) and how to sign in; the
    secret stays a reference until a client is made."""

    bucket: str
    root: str = ""
    endpoint: str | None = None
    region: str = "us-east-1"
    access_key: str | None = None
    secret: str | None = None
    profile: str | None = None
    anonymous: bool = False
    pool: int = 10

    @classmethod
    def from_url(cls, url: StorageUrl) -> S3Address:
        if not url.host:
            raise StorageUrlError(f"an S3 URL names its bucket: s3://bucket/root?endpoint=… "
                                  f"(got {url.text!r})")
        query = url.query
        if url.username and "secret" not in query:
            raise StorageUrlError("an S3 URL with an access key names its secret: "
                                  "secret=keyring:NAME or secret=env:NAME")
        root = url.path.strip("/")
        return cls(
            url.host,
            root=check_key(root) + "/" if root else "",
            endpoint=query.get("endpoint"),
            region=query.get("region", "us-east-1"),
            access_key=url.username,
            secret=query.get("secret"),
            profile=query.get("profile"),
            anonymous=query.get("anonymous", "").lower() in _TRUE,
            pool=url.int_option("pool", 10),
        )

    @property
    def describe(self) -> str:
        where = f" at {self.endpoint}" if self.endpoint else ""
        return f"S3 bucket {self.bucket!r}{where}"

    def client(self) -> Any:
        """An aiobotocore S3 client, to enter with ``async with`` (which opens its pool)."""
        options: dict[str, Any] = {"region_name": self.region}
        if self.endpoint:
            options["endpoint_url"] = self.endpoint
        if self.access_key:
            options["aws_access_key_id"] = self.access_key
            options["aws_secret_access_key"] = resolve_secret(self.secret, what="S3 secret")
        config = Config(
            max_pool_connections=self.pool,
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": "path"} if self.endpoint else None,
            signature_version=UNSIGNED if self.anonymous else None,
            # Checksums only where S3 requires them: the newer default trailers are not
            # understood by every S3-compatible server.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        return _session(self.profile).create_client("s3", config=config, **options)


@cache
def _session(profile: str | None) -> Any:
    """One botocore session per profile: it caches the S3 model (a new one per store would
    spend a fifth of a second loading it again). Sessions hold no connections."""
    session = get_session()
    if profile:
        session.set_config_variable("profile", profile)
    return session
