"""Office Open XML (DOCX, XLSX, PPTX) with :mod:`zipfile` and :mod:`xml.etree` only.

- DOCX: paragraphs in order; ``Heading N`` / ``Title`` styles (and outline levels) are
  headings; table rows become ``cell | cell`` lines. Pages are known only when the file
  records them: Word writes ``lastRenderedPageBreak`` marks when it saves, else explicit
  page breaks count; with neither, blocks have no page.
- XLSX: one section per sheet (its name as heading, its 1-based position as the page); rows
  below a header row read ``Header: value | Header: value``.
- PPTX: one page per slide; title placeholders are headings.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree

from engine.kb.document import Block, ExtractedDocument, heading, paragraph
from engine.kb.extract.archive import has_member, member_xml, open_zip

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_HEADING_STYLE = re.compile(r"(?:heading|titre|berschrift|t[ií]tulo)\s*(\d)", re.I)


def read_docx(data: bytes) -> ExtractedDocument:
    with open_zip(data, "DOCX") as archive:
        body = member_xml(archive, "word/document.xml")
        styles = _docx_styles(archive)
        title = _core_title(archive)
    rendered = any(True for _ in body.iter(f"{_W}lastRenderedPageBreak"))
    explicit = any(node.get(f"{_W}type") == "page" for node in body.iter(f"{_W}br"))
    paged = rendered or explicit
    blocks: list[Block] = []
    page = 1
    for element in _docx_body_items(body):
        page_before = page
        page += _page_breaks(element, rendered)
        number = page_before if paged else None
        if element.tag == f"{_W}tbl":
            blocks.extend(paragraph(row, number) for row in _docx_table_rows(element))
        else:
            blocks.append(_docx_paragraph(element, styles, number))
    return ExtractedDocument.from_blocks(blocks, title=title)


def _docx_body_items(body: ElementTree.Element) -> Iterator[ElementTree.Element]:
    container = body.find(f"{_W}body")
    for element in container if container is not None else []:
        if element.tag in (f"{_W}p", f"{_W}tbl"):
            yield element
        elif element.tag == f"{_W}sdt":  # content controls wrap ordinary paragraphs
            content = element.find(f"{_W}sdtContent")
            yield from (e for e in (content if content is not None else [])
                        if e.tag in (f"{_W}p", f"{_W}tbl"))


def _page_breaks(element: ElementTree.Element, rendered: bool) -> int:
    if rendered:
        return sum(1 for _ in element.iter(f"{_W}lastRenderedPageBreak"))
    return sum(1 for node in element.iter(f"{_W}br") if node.get(f"{_W}type") == "page")


def _docx_styles(archive: zipfile.ZipFile) -> dict[str, int]:
    """Style id → heading level, from the style names (``heading 2``) of styles.xml."""
    if not has_member(archive, "word/styles.xml"):
        return {}
    levels: dict[str, int] = {}
    for style in member_xml(archive, "word/styles.xml").iter(f"{_W}style"):
        style_id = style.get(f"{_W}styleId", "")
        name_node = style.find(f"{_W}name")
        name = name_node.get(f"{_W}val", "") if name_node is not None else ""
        level = _style_level(name) or _style_level(style_id)
        if level:
            levels[style_id] = level
    return levels


def _style_level(name: str) -> int:
    if name.lower() in ("title", "titre", "titel"):
        return 1
    match = _HEADING_STYLE.search(name)
    return int(match.group(1)) if match else 0


def _docx_paragraph(element: ElementTree.Element, styles: dict[str, int],
                    page: int | None) -> Block:
    text = _docx_text(element)
    properties = element.find(f"{_W}pPr")
    level = 0
    if properties is not None:
        style = properties.find(f"{_W}pStyle")
        outline = properties.find(f"{_W}outlineLvl")
        if style is not None:
            level = styles.get(style.get(f"{_W}val", ""), 0) or _style_level(
                style.get(f"{_W}val", ""))
        if not level and outline is not None and outline.get(f"{_W}val", "").isdigit():
            level = int(outline.get(f"{_W}val", "0")) + 1
    return heading(text, level, page) if level and text.strip() else paragraph(text, page)


def _docx_text(element: ElementTree.Element) -> str:
    pieces: list[str] = []
    for node in element.iter():
        if node.tag == f"{_W}t":
            pieces.append(node.text or "")
        elif node.tag == f"{_W}tab":
            pieces.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr") and node.get(f"{_W}type") != "page":
            pieces.append("\n")
    return "".join(pieces)


def _docx_table_rows(table: ElementTree.Element) -> Iterator[str]:
    for row in table.iter(f"{_W}tr"):
        cells = [" ".join(_docx_text(cell).split()) for cell in row.iter(f"{_W}tc")]
        if any(cells):
            yield " | ".join(cells)


def _core_title(archive: zipfile.ZipFile) -> str:
    if not has_member(archive, "docProps/core.xml"):
        return ""
    node = member_xml(archive, "docProps/core.xml").find(f"{_DC}title")
    return (node.text or "").strip() if node is not None else ""


def read_xlsx(data: bytes) -> ExtractedDocument:
    with open_zip(data, "XLSX") as archive:
        shared = _shared_strings(archive)
        sheets = [(name, member_xml(archive, part)) for name, part in _sheet_parts(archive)]
    blocks: list[Block] = []
    for number, (name, sheet) in enumerate(sheets, start=1):
        blocks.append(heading(name, 1, number))
        blocks.extend(paragraph(row, number) for row in _labelled_rows(_sheet_rows(sheet, shared)))
    return ExtractedDocument.from_blocks(blocks)


def _labelled_rows(rows: Iterator[list[str]]) -> Iterator[str]:
    """``Header: value`` pairs after the first row, which is taken as the header."""
    header: list[str] | None = None
    for cells in rows:
        if header is None:
            header = cells
            yield " | ".join(cells)
            continue
        pairs = [f"{header[i]}: {value}" if i < len(header) and header[i] else value
                 for i, value in enumerate(cells) if value]
        yield " | ".join(pairs)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if not has_member(archive, "xl/sharedStrings.xml"):
        return []
    root = member_xml(archive, "xl/sharedStrings.xml")
    return ["".join(t.text or "" for t in item.iter(f"{_S}t")) for item in root.iter(f"{_S}si")]


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    workbook = member_xml(archive, "xl/workbook.xml")
    rels = member_xml(archive, "xl/_rels/workbook.xml.rels")
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL}Relationship")}
    parts: list[tuple[str, str]] = []
    for sheet in workbook.iter(f"{_S}sheet"):
        target = targets.get(sheet.get(f"{_R}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        parts.append((sheet.get("name", ""), part))
    return parts


def _sheet_rows(sheet: ElementTree.Element, shared: list[str]) -> Iterator[list[str]]:
    for row in sheet.iter(f"{_S}row"):
        cells: list[str] = []
        for cell in row.iter(f"{_S}c"):
            column = column_index(cell.get("r", ""), len(cells))
            cells.extend([""] * (column - len(cells)))
            cells.append(" ".join(cell_text(cell, shared).split()))
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            yield cells


def column_index(reference: str, default: int) -> int:
    """0-based column of a cell reference such as ``C7`` (empty cells are not written)."""
    letters = re.match(r"[A-Z]+", reference)
    if letters is None:
        return default
    index = 0
    for letter in letters.group():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def cell_text(cell: ElementTree.Element, shared: list[str]) -> str:
    """A spreadsheet cell's text: shared and inline strings, booleans, raw values."""
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_S}t"))
    value = cell.findtext(f"{_S}v") or ""
    if kind == "s" and value.isdigit() and int(value) < len(shared):
        return shared[int(value)]
    if kind == "b":
        return "true" if value == "1" else "false"
    return value


def read_pptx(data: bytes) -> ExtractedDocument:
    with open_zip(data, "PPTX") as archive:
        slides = [member_xml(archive, name) for name in _numbered(archive, "ppt/slides/slide")]
    blocks: list[Block] = []
    for number, slide in enumerate(slides, start=1):
        blocks.extend(_slide_blocks(slide, number))
    return ExtractedDocument.from_blocks(blocks)


def _slide_blocks(slide: ElementTree.Element, number: int) -> Iterator[Block]:
    for shape in slide.iter(f"{_P}sp"):
        placeholder = shape.find(f"{_P}nvSpPr/{_P}nvPr/{_P}ph")
        is_title = placeholder is not None and placeholder.get("type") in ("title", "ctrTitle")
        for para in shape.iter(f"{_A}p"):
            text = "".join(node.text or "" for node in para.iter(f"{_A}t"))
            if text.strip():
                yield heading(text, 1, number) if is_title else paragraph(text, number)


def _numbered(archive: zipfile.ZipFile, prefix: str) -> list[str]:
    """``prefix1.xml``, ``prefix2.xml``… in numeric order (``slide10`` after ``slide9``)."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)\.xml")
    found = [(int(m.group(1)), m.group()) for m in map(pattern.fullmatch, archive.namelist()) if m]
    return [name for _, name in sorted(found)]
