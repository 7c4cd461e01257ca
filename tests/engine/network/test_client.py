"""GuardedHttpClient against a real server on 127.0.0.1 (BASIC.md §9.1, §9.2).

Only loopback is ever contacted: every other address in these tests is refused by the guard
before a connection is attempted, which is exactly what the tests check.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from loopback_http import LoopbackServer

from engine.basic.errors import BasicPermissionError, BasicValueError, HttpError
from engine.network.client import GuardedHttpClient

LOOPBACK = frozenset({"127.0.0.1"})


@pytest.fixture
def client() -> Iterator[GuardedHttpClient]:
    with GuardedHttpClient(LOOPBACK, timeout=5, max_bytes=2048) as http:
        yield http


@pytest.fixture
def guarded() -> Iterator[GuardedHttpClient]:
    with GuardedHttpClient(frozenset(), timeout=5) as http:
        yield http


def test_loopback_is_refused_without_the_allow_list(
    guarded: GuardedHttpClient, server: LoopbackServer
) -> None:
    with pytest.raises(BasicPermissionError):
        guarded.request("GET", server.url("/json"), None, {})
    with pytest.raises(BasicPermissionError):
        guarded.fetch(server.url("/download", host="localhost"), {})
    assert server.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/admin",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/api",
        "http://192.168.0.10/item/1",
        "http://172.16.5.5/item/1",
        "http://[::1]/item/1",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://100.64.0.1/file.zip",
        "http://0.0.0.0/",
        "http://localhost/",
        "HTTP://LOCALHOST/",
        "https://127.0.0.1/",
        "http://2130706433/",  # decimal, octal and hex IPv4 forms resolve to 127.0.0.1
        "http://017700000001/",
        "http://0x7f.1/",
        "http://127.1/",
    ],
)
def test_ssrf_targets_are_refused(guarded: GuardedHttpClient, url: str) -> None:
    """conformance errors/ssrf_refused, and more ways to write the same addresses."""
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        with pytest.raises(BasicPermissionError):
            guarded.request(method, url, {"a": 1}, {})
    with pytest.raises(BasicPermissionError):
        guarded.fetch(url, {})


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/", "x"])
def test_other_schemes_are_refused(guarded: GuardedHttpClient, url: str) -> None:
    with pytest.raises(BasicPermissionError):
        guarded.request("GET", url, None, {})


def test_allow_list_is_the_host_as_written() -> None:
    """conformance errors/http_allow_list: nothing listens on port 1."""
    with GuardedHttpClient(frozenset({"127.0.0.1"}), timeout=5) as http:
        with pytest.raises(HttpError):
            http.request("GET", "http://127.0.0.1:1/status", None, {})
        with pytest.raises(BasicPermissionError):
            http.request("GET", "http://localhost:1/status", None, {})


def test_allow_listed_name_is_allowed(server: LoopbackServer) -> None:
    with GuardedHttpClient(frozenset({"LocalHost"}), timeout=5) as http:
        assert http.request("GET", server.url("/text", host="localhost"), None, {}) == "olá"


def test_json_is_decoded_with_typed_values(
    client: GuardedHttpClient, server: LoopbackServer
) -> None:
    value = client.request("GET", server.url("/json"), None, {})
    assert value == {"n": 1, "f": 1.0, "s": "olá", "l": [True, None]}
    assert type(value["n"]) is int and type(value["f"]) is float
    assert client.request("GET", server.url("/empty-json"), None, {}) is None
    with pytest.raises(HttpError):
        client.request("GET", server.url("/bad-json"), None, {})


def test_text_uses_the_declared_charset(client: GuardedHttpClient, server: LoopbackServer) -> None:
    assert client.request("GET", server.url("/text"), None, {}) == "olá"


@pytest.mark.parametrize(
    ("body", "content_type", "sent"),
    [
        ({"a": [1, 2.5]}, "application/json", '{"a":[1,2.5]}'),
        ([1, "x"], "application/json", '[1,"x"]'),
        ("plain", "text/plain; charset=utf-8", "plain"),
        (None, None, ""),
    ],
)
def test_request_bodies(
    client: GuardedHttpClient,
    server: LoopbackServer,
    body: object,
    content_type: str | None,
    sent: str,
) -> None:
    echoed = client.request("POST", server.url("/echo"), body, {"X-Custom": "yes"})
    expected = {"method": "POST", "type": content_type, "body": sent, "custom": "yes"}
    assert echoed == {**expected, "cookie": None}


def test_a_content_type_header_wins(client: GuardedHttpClient, server: LoopbackServer) -> None:
    headers = {"content-type": "application/vnd.api+json"}
    echoed = client.request("PUT", server.url("/echo"), {"a": 1}, headers)
    assert echoed["type"] == "application/vnd.api+json"


def test_status_outside_2xx_is_an_http_error(
    client: GuardedHttpClient, server: LoopbackServer
) -> None:
    url = server.url("/nothing-here")
    with pytest.raises(HttpError) as caught:
        client.request("GET", url, None, {})
    assert caught.value.message == f"HTTP 404 Not Found: GET {url}"
    with pytest.raises(HttpError, match="HTTP 404 Not Found: DELETE"):
        client.request("delete", url, None, {})


def test_credentials_never_appear_in_messages(
    client: GuardedHttpClient, server: LoopbackServer
) -> None:
    with pytest.raises(HttpError) as caught:
        client.request("GET", f"http://user:secret@127.0.0.1:{server.port}/missing", None, {})
    assert "secret" not in caught.value.message


def test_redirects_are_followed(client: GuardedHttpClient, server: LoopbackServer) -> None:
    url = server.url("/redirect?to=" + quote("/json"))
    assert client.request("GET", url, None, {})["n"] == 1
    echoed = client.request("POST", server.url("/redirect?status=303&to=/echo"), {"a": 1}, {})
    assert echoed["method"] == "GET" and echoed["body"] == ""


def test_a_redirect_to_a_forbidden_address_is_refused(
    client: GuardedHttpClient, server: LoopbackServer
) -> None:
    for target in (
        server.url("/json", host="localhost"),
        server.url("/json", host="[::1]"),
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/",
    ):
        with pytest.raises(BasicPermissionError):
            client.request("GET", server.url("/redirect?to=" + quote(target, safe="")), None, {})
    assert all("/redirect" in line for line in server.seen)


def test_a_redirect_to_another_scheme_is_refused(
    client: GuardedHttpClient, server: LoopbackServer
) -> None:
    with pytest.raises(BasicPermissionError):
        client.request("GET", server.url("/redirect?to=" + quote("file:///etc/passwd")), None, {})


def test_redirect_loops_end(client: GuardedHttpClient, server: LoopbackServer) -> None:
    with pytest.raises(HttpError, match="too many redirects"):
        client.request("GET", server.url("/loop"), None, {})
    assert len(server.seen) == 11


@pytest.mark.parametrize("path", ["/big", "/big-chunked", "/gzip-bomb"])
def test_oversized_bodies(client: GuardedHttpClient, server: LoopbackServer, path: str) -> None:
    with pytest.raises(HttpError, match="larger than 2048 bytes"):
        client.request("GET", server.url(path), None, {})


@pytest.mark.parametrize("path", ["/slow", "/drip"])
def test_timeouts(server: LoopbackServer, path: str) -> None:
    with (
        GuardedHttpClient(LOOPBACK, timeout=0.5) as http,
        pytest.raises(HttpError, match=r"timed out after 0\.5 s"),
    ):
        http.request("GET", server.url(path), None, {})


def test_fetch_names_the_file(client: GuardedHttpClient, server: LoopbackServer) -> None:
    assert client.fetch(server.url("/download/report%20v2.pdf?x=1"), {}) == (
        b"%PDF-1.4 file",
        "report v2.pdf",
    )
    cases = {
        'attachment; filename="invoice.pdf"': "invoice.pdf",
        "attachment; filename*=UTF-8''fatura%20n%C2%BA1.pdf": "fatura nº1.pdf",
        'attachment; filename="../../etc/passwd"': "passwd",
        'attachment; filename="..\\\\evil:name?.txt"': "evil_name_.txt",
        'attachment; filename=".."': "download",
    }
    for disposition, name in cases.items():
        headers = {"X-Disposition": disposition}
        assert client.fetch(server.url("/download/"), headers)[1] == name
    assert client.fetch(server.url("/download/"), {})[1] == "download"


def test_unknown_methods_are_value_errors(
    client: GuardedHttpClient, server: LoopbackServer
) -> None:
    with pytest.raises(BasicValueError):
        client.request("BREW", server.url("/json"), None, {})


def test_the_checked_address_is_the_one_connected_to(server: LoopbackServer) -> None:
    """One resolution per connection; the request goes to that address with the URL's host."""
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    with GuardedHttpClient(frozenset({"service.test"}), timeout=5, resolver=resolver) as http:
        assert http.request("GET", f"http://service.test:{server.port}/text", None, {}) == "olá"
    assert calls == ["service.test"]
    assert server.seen == [f"GET /text host=service.test:{server.port}"]


def test_a_name_resolving_to_any_private_address_is_refused(server: LoopbackServer) -> None:
    def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "127.0.0.1"]

    with (
        GuardedHttpClient(frozenset(), timeout=5, resolver=resolver) as http,
        pytest.raises(BasicPermissionError),
    ):
        http.request("GET", f"http://public.test:{server.port}/json", None, {})
    assert server.seen == []


def test_an_unknown_host_is_an_http_error() -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with (
        GuardedHttpClient(frozenset(), timeout=5, resolver=resolver) as http,
        pytest.raises(HttpError, match="cannot connect"),
    ):
        http.request("GET", "http://nowhere.test/", None, {})


@pytest.mark.parametrize(
    "headers",
    [{"X-A": "a\r\nInjected: 1"}, {"Bad Name": "x"}, {"X-A": "nul\x00"}, {"": "x"}],
)
def test_header_injection_is_refused(
    client: GuardedHttpClient, server: LoopbackServer, headers: dict[str, str]
) -> None:
    with pytest.raises(BasicValueError):
        client.request("GET", server.url("/echo"), None, headers)
    assert server.seen == []


def test_non_ascii_header_values_are_sent_as_utf8(
    client: GuardedHttpClient, server: LoopbackServer
) -> None:
    echoed = client.request("POST", server.url("/echo"), None, {"X-Custom": "olá"})
    assert echoed["custom"].encode("latin-1").decode("utf-8") == "olá"


def test_cookies_are_never_kept(client: GuardedHttpClient, server: LoopbackServer) -> None:
    client.request("GET", server.url("/set-cookie"), None, {})
    assert client.request("GET", server.url("/echo"), None, {})["cookie"] is None
    echoed = client.request("GET", server.url("/echo"), None, {"Cookie": "mine=1"})
    assert echoed["cookie"] == "mine=1"
