"""Outbound HTTP for BASIC scripts: the ``HttpService`` of BASIC.md §9.1 and §9.2.

:class:`GuardedHttpClient` follows redirects itself (at most ``max_redirects``), checking the
scheme of every hop; the guarded transport checks the addresses of every connection. One
deadline covers the whole exchange, redirects and body included, and the body is counted while
it streams in (after decompression), so neither a slow drip nor a huge or gzip-bombed response
gets through. Every failure is a :class:`~engine.basic.errors.HttpError` except refusals by the
guard, which are ``PermissionError`` for the script.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType

import httpcore
import httpx

from engine.basic.errors import BasicValueError, HttpError
from engine.basic.query import Value
from engine.network.guard import NetworkGuard
from engine.network.responses import Reply, decode_reply, encode_body, file_name, status_error
from engine.network.transport import GuardedTransport, Resolver, system_resolver

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_TRANSPORT_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpcore.ConnectionNotAvailable)
_CORE_ERRORS = (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError)


class GuardedHttpClient:
    """HTTP behind the network guard, for one bot's settings. Close it (or use ``with``)."""

    def __init__(
        self,
        allow_hosts: frozenset[str] = frozenset(),
        timeout: float = 30,
        max_bytes: int = 10 * 1024 * 1024,
        *,
        max_redirects: int = 10,
        resolver: Resolver = system_resolver,
        user_agent: str = "Hearth",
    ) -> None:
        self._guard = NetworkGuard(frozenset(_host_as_in_urls(host) for host in allow_hosts))
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._client = httpx.Client(
            transport=GuardedTransport(self._guard, resolver, httpx.create_ssl_context()),
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would bypass the guard
            cookies=_no_cookies(),
            headers={"User-Agent": user_agent},
        )

    def __enter__(self) -> GuardedHttpClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, url: str, body: Value, headers: Mapping[str, str]) -> Value:
        reply = self._exchange(method, url, body, headers)
        return decode_reply(reply)

    def fetch(self, url: str, headers: Mapping[str, str]) -> tuple[bytes, str]:
        reply = self._exchange("GET", url, None, headers)
        return reply.body, file_name(reply)

    def _exchange(self, method: str, url: str, body: Value, headers: Mapping[str, str]) -> Reply:
        """Send, follow redirects, read the body; raise for a status outside 200–299."""
        deadline = time.monotonic() + self._timeout
        request = self._first_request(method.upper(), url, body, headers)
        for _ in range(self._max_redirects + 1):
            response = self._send(request, deadline)
            if response.next_request is None:
                reply = self._read(request, response, deadline)
                if not 200 <= reply.status <= 299:
                    raise status_error(reply)
                return reply
            response.close()
            request = self._checked(response.next_request)
        raise HttpError(f"too many redirects (more than {self._max_redirects}): {_line(request)}")

    def _first_request(
        self, method: str, url: str, body: Value, headers: Mapping[str, str]
    ) -> httpx.Request:
        if method not in METHODS:
            raise BasicValueError(f"unknown HTTP method: {method}")
        content, content_type = encode_body(body)
        merged = httpx.Headers([_header(name, value) for name, value in headers.items()])
        if content_type and "content-type" not in merged:
            merged["Content-Type"] = content_type
        try:
            request = self._client.build_request(method, url, content=content, headers=merged)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise BasicValueError(f"not a valid URL: {url}") from exc
        return self._checked(request)

    def _checked(self, request: httpx.Request) -> httpx.Request:
        self._guard.check_scheme(request.url.scheme, str(request.url))
        if not request.url.host:
            raise BasicValueError(f"the URL has no host: {request.url}")
        return request

    def _send(self, request: httpx.Request, deadline: float) -> httpx.Response:
        request.extensions["timeout"] = httpx.Timeout(self._remaining(request, deadline)).as_dict()
        with self._errors(request):
            return self._client.send(request, stream=True)

    def _read(self, request: httpx.Request, response: httpx.Response, deadline: float) -> Reply:
        try:
            with self._errors(request):
                body = self._body(request, response, deadline)
        finally:
            response.close()
        return _reply(request, response, body)

    def _body(self, request: httpx.Request, response: httpx.Response, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise self._too_large(request)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise self._too_large(request)
            self._remaining(request, deadline)
            chunks.append(chunk)
        return b"".join(chunks)

    def _remaining(self, request: httpx.Request, deadline: float) -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._timed_out(request)
        return remaining

    @contextmanager
    def _errors(self, request: httpx.Request) -> Iterator[None]:
        """Map httpx and httpcore failures to HttpError; the guard's refusals pass untouched."""
        try:
            yield
        except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
            raise self._timed_out(request) from exc
        except (httpx.ConnectError, httpcore.ConnectError) as exc:
            raise HttpError(f"cannot connect ({exc}): {_line(request)}") from exc
        except _TRANSPORT_ERRORS + _CORE_ERRORS as exc:
            raise HttpError(f"request failed ({exc}): {_line(request)}") from exc

    def _timed_out(self, request: httpx.Request) -> HttpError:
        return HttpError(f"timed out after {self._timeout:g} s: {_line(request)}")

    def _too_large(self, request: httpx.Request) -> HttpError:
        return HttpError(f"response larger than {self._max_bytes} bytes: {_line(request)}")


def _reply(request: httpx.Request, response: httpx.Response, body: bytes) -> Reply:
    content_type = response.headers.get("content-type", "")
    return Reply(
        status=response.status_code,
        reason=httpx.codes.get_reason_phrase(response.status_code) or response.reason_phrase,
        content_type=content_type,
        charset=response.charset_encoding,
        content_disposition=response.headers.get("content-disposition"),
        body=body,
        request_line=_line(request),
        path=request.url.path,
    )


def _header(name: str, value: str) -> tuple[bytes, bytes]:
    """A header as bytes; names must be tokens and values single lines (no header injection)."""
    if not _TOKEN.fullmatch(name) or any(char in value for char in "\r\n\x00"):
        raise BasicValueError(f"invalid HTTP header: {name!r}")
    return name.encode("ascii"), value.encode("utf-8")


def _line(request: httpx.Request) -> str:
    """``METHOD url`` for messages, without any user name or password of the URL."""
    return f"{request.method} {request.url.copy_with(userinfo=b'')}"


def _no_cookies() -> CookieJar:
    """A jar that keeps nothing: one client serves every user of a bot, so a cookie set for one
    user's request must never ride along with another's. Scripts send cookies as headers."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def _host_as_in_urls(host: str) -> str:
    """An allow-list entry spelled the way httpx hands hosts to the transport (IDNA, no [])."""
    entry = host.strip()
    try:
        return httpx.URL(f"http://{entry}/").raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError):
        return entry.lower()
