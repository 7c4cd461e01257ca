"""EPUB: the XHTML documents of the spine, in reading order, through the HTML reader.

EPUB has no fixed pages; each chapter's headings give the citation its context.
"""

from __future__ import annotations

import posixpath
import zipfile
from urllib.parse import unquote
from xml.etree import ElementTree

from engine.kb.document import Block, ExtractedDocument
from engine.kb.errors import ExtractionError
from engine.kb.extract.archive import member_xml, open_zip, read_member
from engine.kb.extract.html import decode_html, parse_html

_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"


def read_epub(data: bytes) -> ExtractedDocument:
    with open_zip(data, "EPUB") as archive:
        opf_path = _package_path(archive)
        package = member_xml(archive, opf_path)
        title = (package.findtext(f"{_OPF}metadata/{_DC}title") or "").strip()
        blocks: list[Block] = []
        for part in _spine(package, posixpath.dirname(opf_path)):
            if part in archive.namelist():
                blocks.extend(parse_html(decode_html(read_member(archive, part))).blocks)
    return ExtractedDocument.from_blocks(blocks, title=title)


def _package_path(archive: zipfile.ZipFile) -> str:
    container = member_xml(archive, "META-INF/container.xml")
    rootfile = container.find(f"{_CONTAINER}rootfiles/{_CONTAINER}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise ExtractionError("the EPUB has no package document")
    return rootfile.get("full-path", "")


def _spine(package: ElementTree.Element, base: str) -> list[str]:
    manifest = {item.get("id"): item.get("href", "")
                for item in package.iter(f"{_OPF}item")}
    parts: list[str] = []
    for ref in package.iter(f"{_OPF}itemref"):
        href = manifest.get(ref.get("idref"), "")
        if href:
            parts.append(posixpath.normpath(posixpath.join(base, unquote(href.split("#")[0]))))
    return parts
