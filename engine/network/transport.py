"""An httpx transport whose every TCP connection passes the network guard.

The guard sits at the socket layer, as an httpcore network backend: whatever asks for a
connection (the first request, a redirect, a reconnect of the pool) must go through
:meth:`GuardedNetworkBackend.connect_tcp`, which resolves the host once, lets the guard judge
every address, and connects to one of those very addresses. TLS still verifies the certificate
and sends SNI for the host name of the URL, because httpcore takes them from the request, not
from the address connected to. Unix sockets and proxies are never used.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator

import httpcore
import httpx

from engine.basic.errors import BasicPermissionError
from engine.network.guard import NetworkGuard

Resolver = Callable[[str, int], list[str]]
"""``(host, port)`` → the IP addresses to try, in order; raises OSError when unknown."""

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (IP literals, including odd IPv4 forms, resolve too)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedNetworkBackend(httpcore.NetworkBackend):
    """Resolves, checks, then connects to a checked address; nothing else reaches a socket."""

    def __init__(self, guard: NetworkGuard, resolver: Resolver) -> None:
        self._guard = guard
        self._resolver = resolver
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._resolve(host, port)
        self._guard.check(host, addresses)
        failure: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return self._sockets.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        raise BasicPermissionError("unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _resolve(self, host: str, port: int) -> list[str]:
        try:
            addresses = self._resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        return addresses


class GuardedTransport(httpx.BaseTransport):
    """httpx's request/response model over a connection pool of guarded connections."""

    def __init__(
        self, guard: NetworkGuard, resolver: Resolver, ssl_context: ssl.SSLContext
    ) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=20,
            max_keepalive_connections=10,
            network_backend=GuardedNetworkBackend(guard, resolver),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = self._pool.handle_request(core_request)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()
