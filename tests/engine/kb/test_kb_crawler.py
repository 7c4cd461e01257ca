"""USE WEBSITE: a small site on 127.0.0.1, crawled politely through the guarded client."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from engine.kb import CrawlError, HashingEmbedder, KnowledgeBase, WebsiteSettings
from engine.kb.crawler import WebsiteCrawler, normalise_url
from engine.network.client import GuardedHttpClient


def _page(title: str, body: str, links: list[str], head: str = "") -> bytes:
    anchors = "".join(f'<a href="{href}">{href}</a> ' for href in links)
    return (f"<!doctype html><html><head><title>{title}</title>{head}</head><body>"
            f"<nav>{anchors}</nav><h1>{title}</h1><p>{body}</p></body></html>").encode()


SITE: dict[str, bytes] = {
    "/robots.txt": b"User-agent: *\nDisallow: /private/\n",
    "/": _page("Home", "Welcome to the bakery.",
               ["/menu", "/about#team", "/private/secret", "http://example.invalid/x",
                "mailto:a@b.c", "/logo.png"]),
    "/menu": _page("Menu", "Sourdough bread and croissants every morning.", ["/menu/cakes"]),
    "/menu/cakes": _page("Cakes", "Chocolate cake on Fridays.", ["/menu/cakes/secret-recipe"]),
    "/menu/cakes/secret-recipe": _page("Recipe", "Too deep to be crawled.", []),
    "/about": _page("About", "Family bakery since 1920.", ["/"],
                    head='<meta name="robots" content="noindex">'),
    "/private/secret": _page("Secret", "Robots may not read this.", []),
}


class _Handler(BaseHTTPRequestHandler):
    site: dict[str, bytes]
    seen: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = self.site.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        kind = "text/plain" if self.path.endswith(".txt") else "text/html; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[tuple[str, list[str], dict[str, bytes]]]:
    pages = dict(SITE)
    seen: list[str] = []
    handler = type("Handler", (_Handler,), {"site": pages, "seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen, pages
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _client() -> GuardedHttpClient:
    return GuardedHttpClient(allow_hosts=frozenset({"127.0.0.1"}), timeout=5)


FAST = WebsiteSettings(max_depth=2, max_pages=50, delay=0.0)


def test_polite_crawl(site: tuple[str, list[str], dict[str, bytes]]) -> None:
    base, seen, _ = site
    with _client() as client:
        result = WebsiteCrawler(client, FAST).crawl(base + "/")
    urls = sorted(item.key for item in result.pages)
    assert urls == [f"{base}/", f"{base}/menu", f"{base}/menu/cakes"]  # /about is noindex
    assert result.blocked == [f"{base}/private/secret"]
    assert seen[0] == "/robots.txt"
    assert "/private/secret" not in seen
    assert "/menu/cakes/secret-recipe" not in seen  # depth 3 > max depth 2
    assert "/logo.png" not in seen
    assert seen.count("/about") == 1  # the fragment link is the same page
    assert result.requests == len(seen)


def test_page_limit_and_rate_limit(site: tuple[str, list[str], dict[str, bytes]]) -> None:
    base, seen, _ = site
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    settings = WebsiteSettings(max_depth=3, max_pages=2, delay=1.5)
    with _client() as client:
        crawler = WebsiteCrawler(client, settings, clock=lambda: now[0], sleep=sleep)
        result = crawler.crawl(base)
    assert len(result.pages) == 2
    assert waits and all(w == pytest.approx(1.5) for w in waits)
    assert len(waits) == len(seen) - 1  # every request but the first waited its turn


def test_crawl_delay_from_robots(site: tuple[str, list[str], dict[str, bytes]]) -> None:
    base, _, pages = site
    pages["/robots.txt"] = b"User-agent: *\nCrawl-delay: 4\n"
    waits: list[float] = []
    with _client() as client:
        crawler = WebsiteCrawler(client, WebsiteSettings(max_pages=2, delay=0.0),
                                 clock=lambda: 0.0, sleep=waits.append)
        crawler.crawl(base)
    assert waits and set(waits) == {4.0}


def test_private_addresses_need_the_allow_list(
        site: tuple[str, list[str], dict[str, bytes]]) -> None:
    base, seen, _ = site
    with GuardedHttpClient(timeout=5) as client:
        result = WebsiteCrawler(client, FAST).crawl(base)
    assert result.pages == [] and seen == []
    assert "refused" in result.failed[0][1]


def test_urls_are_normalised() -> None:
    assert normalise_url("HTTP://Example.COM:80/a?b=1#frag") == "http://example.com/a?b=1"
    assert normalise_url("https://example.com") == "https://example.com/"
    assert normalise_url("http://[::1]:8080/x") == "http://[::1]:8080/x"


def test_use_website_ingests_and_refreshes(
        tmp_path: Path, site: tuple[str, list[str], dict[str, bytes]],
        hashing: HashingEmbedder) -> None:
    base, seen, pages = site

    async def run() -> None:
        async with KnowledgeBase(tmp_path / "kb", hashing) as kb:
            client = _client()
            report = await kb.crawl_website(base, client, FAST)
            assert report is not None
            assert report.ingest.documents == 3 and report.blocked
            name = normalise_url(base)
            hits = await kb.search([name], "chocolate cake")
            assert hits[0].source == f"{base}/menu/cakes"
            assert hits[0].context == "Cakes"
            requests = len(seen)
            assert await kb.crawl_website(base, client, FAST) is None  # not expired yet
            assert len(seen) == requests
            del pages["/menu/cakes"]
            expired = WebsiteSettings(max_depth=2, delay=0.0, expires=dt.timedelta(0))
            again = await kb.crawl_website(base, client, expired)
            assert again is not None and again.ingest.removed == (f"{base}/menu/cakes",)
            with pytest.raises(CrawlError):
                await kb.crawl_website("http://127.0.0.1:9/", client, FAST, force=True)
            client.close()

    asyncio.run(run())
