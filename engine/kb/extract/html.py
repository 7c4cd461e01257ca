"""HTML with the standard library's parser: headings, paragraphs, list items, table rows.

Script, style and page furniture (``nav``, ``header``, ``footer``, ``aside``...) are skipped
so a crawled site does not index its menu on every page. Links are collected for the
website crawler; ``<meta name="robots" content="noindex|nofollow">`` is honoured there.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from engine.kb.document import Block, ExtractedDocument, heading, paragraph

_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "nav", "header", "footer",
                   "aside", "form", "button", "select", "iframe"})
_BLOCK = frozenset({"p", "div", "li", "tr", "section", "article", "main", "blockquote", "pre",
                    "dd", "dt", "figcaption", "caption", "td", "th", "br", "hr", "table", "ul",
                    "ol", "dl", "body", "h1", "h2", "h3", "h4", "h5", "h6", "title"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed",
                   "source", "track", "wbr"})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


@dataclass
class HtmlPage:
    """What one HTML page yields: its blocks, title, links and robots directives."""

    blocks: list[Block] = field(default_factory=list)
    title: str = ""
    links: list[str] = field(default_factory=list)
    noindex: bool = False
    nofollow: bool = False
    base: str = ""

    def document(self) -> ExtractedDocument:
        return ExtractedDocument.from_blocks(self.blocks, title=self.title)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = HtmlPage()
        self._skip_depth = 0
        self._text: list[str] = []
        self._heading = 0
        self._in_title = False
        self._title: list[str] = []
        self._in_pre = 0
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self._metadata(tag, values)
        if self._skip_depth or tag in _SKIP:
            if tag not in _VOID:
                self._skip_depth += 1
            return
        if tag == "title":
            self._in_title = True
            return
        if tag in _BLOCK:
            self._flush()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = int(tag[1])
        elif tag == "pre":
            self._in_pre += 1
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._skip_depth:
            if tag not in _VOID:
                self._skip_depth -= 1
            return
        if tag == "title":
            self._in_title = False
            self.page.title = " ".join("".join(self._title).split())
            return
        if tag in ("td", "th") and self._row is not None:
            self._row.append(" ".join("".join(self._text).split()))
            self._text = []
            return
        if tag == "tr" and self._row is not None:
            cells = [cell for cell in self._row if cell]
            self._row = None
            if cells:
                self.page.blocks.append(paragraph(" | ".join(cells)))
            return
        if tag in _BLOCK:
            self._flush()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = 0
        elif tag == "pre":
            self._in_pre = max(0, self._in_pre - 1)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif not self._skip_depth:
            self._text.append(data)

    def _metadata(self, tag: str, values: dict[str, str]) -> None:
        if tag == "a" and values.get("href"):
            self.page.links.append(values["href"])
        elif tag == "base" and values.get("href") and not self.page.base:
            self.page.base = values["href"]
        elif tag == "meta" and values.get("name", "").lower() in ("robots", "hearth"):
            directives = values.get("content", "").lower()
            self.page.noindex |= "noindex" in directives or "none" in directives
            self.page.nofollow |= "nofollow" in directives or "none" in directives

    def _flush(self) -> None:
        if self._row is not None:
            return
        raw = "".join(self._text)
        self._text = []
        text = raw.strip("\n") if self._in_pre else " ".join(raw.split())
        if not text.strip():
            return
        block = heading(text, self._heading) if self._heading else paragraph(text)
        self.page.blocks.append(block)

    def close(self) -> None:
        super().close()
        self._flush()


def parse_html(markup: str) -> HtmlPage:
    parser = _PageParser()
    parser.feed(markup)
    parser.close()
    return parser.page


def decode_html(data: bytes) -> str:
    """Bytes to text: BOM, then a ``<meta charset>``, then UTF-8, then Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_html(data: bytes) -> ExtractedDocument:
    return parse_html(decode_html(data)).document()
