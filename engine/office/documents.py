"""Text out of a drive file: plain text, PDF and Office Open XML documents (BASIC.md §9.3).

``READ`` of a PDF, DOCX, XLSX or PPTX yields its text so a script (or the knowledge base) can
use it. Office files are zip archives of XML; reading them needs only :mod:`zipfile` and
:mod:`xml.etree`. The input is untrusted, so member sizes are capped before decompression and
XML carrying a DTD (which OOXML never does; entity expansion attacks need one) is refused.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from xml.etree import ElementTree

from engine.basic.errors import FileError
from engine.kb.extract.ooxml import cell_text, column_index

MAX_XML_BYTES = 64 * 1024 * 1024
"""Largest uncompressed XML part read from an office document."""

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def extract_text(name: str, data: bytes) -> str:
    """The text of a file called ``name`` with content ``data``; FileError if unreadable."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    reader = _READERS.get(suffix)
    if reader is None and data.startswith(b"%PDF-"):
        reader = _pdf_text
    if reader is None:
        return _plain_text(name, data)
    try:
        return reader(data)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError) as exc:
        raise FileError(f"cannot read document {name}: {exc}") from exc


def _plain_text(name: str, data: bytes) -> str:
    """UTF-8 with its BOM stripped; a UTF-16 BOM (Windows "Unicode" text) is honoured too."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"{name} is not UTF-8 text") from exc


def _pdf_text(data: bytes) -> str:
    # Imported here: pypdf costs ~70 ms to import and most runs never read a PDF.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("the PDF is encrypted")
        return "\n".join(page.extract_text() for page in reader.pages).strip()
    except PyPdfError as exc:
        raise ValueError(str(exc)) from exc


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = _xml(archive, "word/document.xml")
    return "\n".join(_docx_paragraph(p) for p in body.iter(f"{_W}p")).strip()


def _docx_paragraph(paragraph: ElementTree.Element) -> str:
    pieces: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t":
            pieces.append(node.text or "")
        elif node.tag == f"{_W}tab":
            pieces.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            pieces.append("\n")
    return "".join(pieces)


def _pptx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        slides = [_xml(archive, name) for name in _numbered(archive, "ppt/slides/slide")]
    texts = ["\n".join(_paragraphs(slide)) for slide in slides]
    return "\n\n".join(text for text in texts if text).strip()


def _paragraphs(root: ElementTree.Element) -> Iterator[str]:
    for paragraph in root.iter(f"{_A}p"):
        text = "".join(node.text or "" for node in paragraph.iter(f"{_A}t"))
        if text:
            yield text


def _xlsx_text(data: bytes) -> str:
    """Each sheet as its name, then one line per row with cells separated by tabs."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        shared = _shared_strings(archive)
        sheets = [(title, _xml(archive, part)) for title, part in _sheet_parts(archive)]
    blocks = [[title, *_sheet_rows(sheet, shared)] for title, sheet in sheets]
    return "\n\n".join("\n".join(block) for block in blocks).strip()


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    root = _xml(archive, "xl/sharedStrings.xml")
    return ["".join(t.text or "" for t in item.iter(f"{_S}t")) for item in root.iter(f"{_S}si")]


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) in workbook order."""
    workbook = _xml(archive, "xl/workbook.xml")
    rels = _xml(archive, "xl/_rels/workbook.xml.rels")
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL}Relationship")}
    parts: list[tuple[str, str]] = []
    for sheet in workbook.iter(f"{_S}sheet"):
        target = targets.get(sheet.get(f"{_R}id"), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts.append((sheet.get("name", ""), part))
    return parts


def _sheet_rows(sheet: ElementTree.Element, shared: list[str]) -> Iterator[str]:
    for row in sheet.iter(f"{_S}row"):
        cells: list[str] = []
        for cell in row.iter(f"{_S}c"):
            column = column_index(cell.get("r", ""), len(cells))
            cells.extend([""] * (column - len(cells)))
            cells.append(cell_text(cell, shared))
        if any(cells):
            yield "\t".join(cells).rstrip("\t")


def _numbered(archive: zipfile.ZipFile, prefix: str) -> list[str]:
    """``prefix1.xml``, ``prefix2.xml``… in numeric order (``slide10`` after ``slide9``)."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)\.xml")
    found = [(int(m.group(1)), m.group()) for m in map(pattern.fullmatch, archive.namelist()) if m]
    return [name for _, name in sorted(found)]


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    info = archive.getinfo(name)
    if info.file_size > MAX_XML_BYTES:
        raise ValueError(f"{name} is too large")
    with archive.open(info) as member:
        data = member.read(MAX_XML_BYTES + 1)
    if len(data) > MAX_XML_BYTES:
        raise ValueError(f"{name} is too large")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError(f"{name} declares a DTD")
    return ElementTree.fromstring(data)


_READERS: dict[str, Callable[[bytes], str]] = {
    "pdf": _pdf_text,
    "docx": _docx_text,
    "xlsx": _xlsx_text,
    "pptx": _pptx_text,
}
