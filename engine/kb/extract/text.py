"""Text formats: plain text, Markdown, CSV/TSV, JSON/JSON Lines, XML and RTF.

Plain text is split into paragraphs at blank lines; a form feed starts a new page (the way
``pdftotext`` and line printers mark pages). Markdown headings (``#`` and underlined) are
headings. CSV rows read ``Header: value | Header: value``. JSON becomes one ``path: value``
line per leaf, one paragraph per top-level item. XML yields the text of its elements.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from xml.etree import ElementTree

from engine.kb.document import Block, ExtractedDocument, heading, paragraph
from engine.kb.errors import ExtractionError
from engine.kb.extract.archive import parse_xml
from engine.kb.extract.rtf import rtf_to_text

_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM stripped), UTF-16 with a BOM, else Windows-1252 rather than failing."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_plain(data: bytes) -> ExtractedDocument:
    text = decode_text(data)
    pages = text.split("\f")
    numbered = len(pages) > 1
    blocks = [
        paragraph(part, number if numbered else None)
        for number, page in enumerate(pages, start=1)
        for part in re.split(r"\n\s*\n", page)
    ]
    return ExtractedDocument.from_blocks(blocks)


def read_markdown(data: bytes) -> ExtractedDocument:
    return ExtractedDocument.from_blocks(list(_markdown_blocks(decode_text(data))))


def _markdown_blocks(text: str) -> Iterator[Block]:
    lines = _without_front_matter(text.split("\n"))
    pending: list[str] = []
    fenced = False
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
            pending.append(line)
            continue
        if fenced:
            pending.append(line)
            continue
        atx = _ATX.match(line)
        setext = _SETEXT.match(line)
        if atx:
            yield paragraph("\n".join(pending))
            pending = []
            yield heading(atx.group(2), len(atx.group(1)))
        elif setext and len(pending) == 1 and pending[0].strip():
            yield heading(pending[0].strip(), 1 if setext.group(1)[0] == "=" else 2)
            pending = []
        elif not line.strip():
            yield paragraph("\n".join(pending))
            pending = []
        else:
            pending.append(line)
    yield paragraph("\n".join(pending))


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() in ("---", "..."):
                return lines[index + 1:]
    return lines


def read_csv(data: bytes) -> ExtractedDocument:
    text = decode_text(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [[" ".join(cell.split()) for cell in row] for row in csv.reader(io.StringIO(text),
                                                                           dialect)]
    rows = [row for row in rows if any(row)]
    if not rows:
        return ExtractedDocument.from_blocks([])
    header = rows[0]
    blocks = [paragraph(" | ".join(header))]
    for row in rows[1:]:
        pairs = [f"{header[i]}: {v}" if i < len(header) and header[i] else v
                 for i, v in enumerate(row) if v]
        blocks.append(paragraph(" | ".join(pairs)))
    return ExtractedDocument.from_blocks(blocks)


def read_json(data: bytes) -> ExtractedDocument:
    text = decode_text(data)
    try:
        items = [json.loads(text)]
    except json.JSONDecodeError:
        try:  # JSON Lines
            items = [json.loads(line) for line in text.split("\n") if line.strip()]
        except json.JSONDecodeError as exc:
            raise ExtractionError(f"not valid JSON ({exc})") from exc
    if len(items) == 1 and isinstance(items[0], list):
        items = items[0]
    blocks: list[Block] = []
    for item in items:
        if isinstance(item, dict) and len(items) == 1:
            blocks.extend(paragraph("\n".join(_leaves(v, str(k)))) for k, v in item.items())
        else:
            blocks.append(paragraph("\n".join(_leaves(item, ""))))
    return ExtractedDocument.from_blocks(blocks)


def _leaves(value: object, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    elif value is not None and value != "":
        yield f"{path}: {value}" if path else str(value)


def read_xml(data: bytes) -> ExtractedDocument:
    root = parse_xml(data)
    return ExtractedDocument.from_blocks([paragraph(t) for t in _element_texts(root)])


def _element_texts(element: ElementTree.Element) -> Iterator[str]:
    own = " ".join((element.text or "").split())
    if own:
        yield own
    for child in element:
        yield from _element_texts(child)
        tail = " ".join((child.tail or "").split())
        if tail:
            yield tail


def read_rtf(data: bytes) -> ExtractedDocument:
    text = rtf_to_text(data.decode("latin-1"))
    return ExtractedDocument.from_blocks([paragraph(p) for p in re.split(r"\n\s*\n|\n", text)])
