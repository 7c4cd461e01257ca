"""``USE WEBSITE``: a polite crawler that turns a site into a collection's documents.

Polite means: robots.txt is fetched first and obeyed (``Disallow`` rules and ``Crawl-delay``
for the user agent, ``*`` otherwise); requests go out one at a time, at least ``delay``
seconds apart; only pages of the same site (scheme, host and port of the start URL) are
followed, at most ``website-max-depth`` links away and ``website-max-pages`` pages in all;
``<meta name="robots" content="noindex|nofollow">`` is honoured. Every request goes through
:class:`~engine.network.client.GuardedHttpClient`, so a site (or a redirect) cannot reach a
private address unless the bot allow-lists the host.

The crawl is synchronous (run it in a worker thread); :meth:`KnowledgeBase.crawl_website`
does that and ingests the pages, re-crawling only when ``website-expires`` has passed.
"""

from __future__ import annotations

import time
import urllib.robotparser
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from engine.basic.errors import BasicError
from engine.kb.errors import CrawlError
from engine.kb.extract import supports
from engine.kb.extract.html import decode_html, parse_html
from engine.kb.settings import WebsiteSettings
from engine.kb.sources import SourceItem, bytes_item
from engine.network.client import GuardedHttpClient

USER_AGENT = "Hearth"
_SKIPPED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".css", ".js",
                     ".zip", ".gz", ".tar", ".exe", ".dmg", ".mp3", ".mp4", ".avi", ".mov",
                     ".woff", ".woff2", ".ttf", ".iso")
_ACCEPT = {"Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5"}


@dataclass
class CrawlResult:
    start_url: str
    pages: list[SourceItem] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    """URLs robots.txt does not allow."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    requests: int = 0


def normalise_url(url: str) -> str:
    """Without fragment; scheme and host lower-case; default port and empty path tidied."""
    parts = urlsplit(urldefrag(url.strip())[0])
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) \
        else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


class WebsiteCrawler:
    """Breadth-first crawl of one site through a guarded client."""

    def __init__(self, client: GuardedHttpClient, settings: WebsiteSettings | None = None,
                 *, user_agent: str = USER_AGENT, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.settings = settings or WebsiteSettings()
        self.user_agent = user_agent
        self._clock = clock
        self._sleep = sleep
        self._last_request: float | None = None
        self._delay = self.settings.delay
        self._requests = 0

    def crawl(self, start_url: str) -> CrawlResult:
        start = normalise_url(start_url)
        origin = _origin(start)
        if urlsplit(start).scheme not in ("http", "https") or not urlsplit(start).hostname:
            raise CrawlError(f"not a web address: {start_url}")
        robots = self._robots(origin)
        result = CrawlResult(start)
        queue: deque[tuple[str, int]] = deque([(start, 0)])
        seen = {start}
        while queue and len(result.pages) < self.settings.max_pages:
            url, depth = queue.popleft()
            if not robots.can_fetch(self.user_agent, url):
                result.blocked.append(url)
                continue
            for link in self._visit(url, result):
                if depth < self.settings.max_depth and link not in seen \
                        and _origin(link) == origin:
                    seen.add(link)
                    queue.append((link, depth + 1))
        result.requests = self._requests
        return result

    def _visit(self, url: str, result: CrawlResult) -> list[str]:
        """Fetch one page, keep it if indexable; return the links to follow."""
        try:
            data, name = self._get(url)
        except (BasicError, CrawlError) as exc:
            result.failed.append((url, str(exc)))
            return []
        if not _is_html(data, name):
            if supports(name):
                result.pages.append(bytes_item(url, name, data))
            return []
        page = parse_html(decode_html(data))
        if not page.noindex:
            result.pages.append(bytes_item(url, "page.html", data))
        if page.nofollow:
            return []
        base = urljoin(url, page.base) if page.base else url
        links = (normalise_url(urljoin(base, href)) for href in page.links
                 if not href.startswith(("mailto:", "javascript:", "tel:", "data:")))
        return [link for link in links
                if urlsplit(link).scheme in ("http", "https")
                and not urlsplit(link).path.lower().endswith(_SKIPPED_SUFFIXES)]

    def _robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            data, _ = self._get(origin + "/robots.txt")
            parser.parse(data.decode("utf-8", errors="replace").splitlines())
        except BasicError as exc:
            if "HTTP 401" in str(exc) or "HTTP 403" in str(exc):
                parser.parse(["User-agent: *", "Disallow: /"])  # robots.txt refused: stay out
            else:
                parser.parse([])  # no robots.txt (404) or unreachable: no rules
        delay = parser.crawl_delay(self.user_agent)
        if delay is not None:
            self._delay = max(self._delay, float(delay))
        return parser

    def _get(self, url: str) -> tuple[bytes, str]:
        self._wait_turn()
        try:
            return self.client.fetch(url, _ACCEPT)
        finally:
            self._last_request = self._clock()
            self._requests += 1

    def _wait_turn(self) -> None:
        if self._last_request is None:
            return
        remaining = self._last_request + self._delay - self._clock()
        if remaining > 0:
            self._sleep(remaining)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _is_html(data: bytes, name: str) -> bool:
    head = data[:2048].lstrip().lower()
    if head.startswith(b"%pdf"):
        return False
    if name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head \
        or b"<p>" in head or b"<title" in head
