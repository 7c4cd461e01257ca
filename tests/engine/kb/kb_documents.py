"""Real documents of every supported format, generated for the tests.

PDFs come from PyMuPDF (so encryption and fonts are real); the zip-based formats (DOCX, XLSX,
PPTX, EPUB) are assembled from their XML parts, with content types and relationships, the
way an office suite writes them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

import pymupdf

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def pdf(pages: Sequence[Sequence[tuple[str, float]]], *, password: str | None = None,
        title: str = "") -> bytes:
    """One PDF page per item; each page is (text, font size) lines written top to bottom."""
    document = pymupdf.open()
    for lines in pages:
        page = document.new_page()
        y = 72.0
        for text, size in lines:
            box = pymupdf.Rect(72, y, page.rect.width - 72, y + size * 12)
            page.insert_textbox(box, text, fontsize=size)
            y += size * 1.6 * (1 + len(text) // 80) + size
    if title:
        document.set_metadata({"title": title})
    if password is None:
        return bytes(document.tobytes())
    return bytes(document.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=password,
                                  owner_pw=password + "-owner"))


def _zip(parts: dict[str, str], first: str | None = None, stored: Sequence[str] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first is not None:
            archive.writestr(zipfile.ZipInfo(first), parts[first],
                             compress_type=zipfile.ZIP_STORED)
        for name, content in parts.items():
            if name != first:
                compress = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
                archive.writestr(name, content, compress_type=compress)
    return buffer.getvalue()


def _content_types(overrides: dict[str, str]) -> str:
    items = "".join(f'<Override PartName="/{part}" ContentType="{kind}"/>'
                    for part, kind in overrides.items())
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{items}</Types>")


def _rels(targets: dict[str, tuple[str, str]]) -> str:
    items = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'
                    for rid, (kind, target) in targets.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_REL_NS}">'
            f"{items}</Relationships>")


def docx(paragraphs: Sequence[tuple[str, str | None]], *, table: Sequence[Sequence[str]] = (),
         page_break_after: int | None = None) -> bytes:
    """Paragraphs as (text, style id or None); ``Heading1``/``Heading2`` are heading styles."""
    body = []
    for index, (text, style) in enumerate(paragraphs):
        props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        run = f"<w:r><w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r>"
        if page_break_after == index:
            run += '<w:r><w:br w:type="page"/></w:r>'
        body.append(f"<w:p>{props}{run}</w:p>")
    if table:
        cell = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
        rows = "".join("<w:tr>" + "".join(cell.format(escape(c)) for c in row) + "</w:tr>"
                       for row in table)
        body.append(f"<w:tbl>{rows}</w:tbl>")
    document = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W_NS}">'
                f"<w:body>{''.join(body)}</w:body></w:document>")
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="{_W_NS}">'
              '<w:style w:type="paragraph" w:styleId="Heading1">'
              '<w:name w:val="heading 1"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="Heading2">'
              '<w:name w:val="heading 2"/></w:style>'
              "</w:styles>")
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    return _zip({
        "[Content_Types].xml": _content_types({"word/document.xml": f"{main}.document.main+xml",
                                               "word/styles.xml": f"{main}.styles+xml"}),
        "_rels/.rels": _rels({"rId1": (f"{_DOC_REL}/officeDocument", "word/document.xml")}),
        "word/_rels/document.xml.rels": _rels({"rId1": (f"{_DOC_REL}/styles", "styles.xml")}),
        "word/document.xml": document,
        "word/styles.xml": styles,
    })


def xlsx(sheets: dict[str, Sequence[Sequence[str]]]) -> bytes:
    """Sheets of inline-string cells."""
    s_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts: dict[str, str] = {}
    entries, rels = [], {}
    for number, (name, rows) in enumerate(sheets.items(), start=1):
        entries.append(f'<sheet name="{escape(name)}" sheetId="{number}" r:id="rId{number}"/>')
        rels[f"rId{number}"] = (f"{_DOC_REL}/worksheet", f"worksheets/sheet{number}.xml")
        cells = "".join(
            f'<row r="{r}">' + "".join(
                f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
                for c, v in enumerate(row)) + "</row>"
            for r, row in enumerate(rows, start=1))
        parts[f"xl/worksheets/sheet{number}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{s_ns}">'
            f"<sheetData>{cells}</sheetData></worksheet>")
    parts["xl/workbook.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{s_ns}" '
                                f'xmlns:r="{_DOC_REL}"><sheets>{"".join(entries)}</sheets></workbook>')
    parts["xl/_rels/workbook.xml.rels"] = _rels(rels)
    parts["_rels/.rels"] = _rels({"rId1": (f"{_DOC_REL}/officeDocument", "xl/workbook.xml")})
    parts["[Content_Types].xml"] = _content_types({})
    return _zip(parts)


def pptx(slides: Sequence[tuple[str, Sequence[str]]]) -> bytes:
    """Slides as (title, bullet texts)."""
    p_ns = "http://schemas.openxmlformats.org/presentationml/2006/main"
    a_ns = "http://schemas.openxmlformats.org/drawingml/2006/main"
    parts: dict[str, str] = {}
    for number, (title, bullets) in enumerate(slides, start=1):
        def shape(texts: Sequence[str], placeholder: str) -> str:
            paras = "".join(f"<a:p><a:r><a:t>{escape(t)}</a:t></a:r></a:p>" for t in texts)
            return (f'<p:sp><p:nvSpPr><p:cNvPr id="1" name="s"/><p:cNvSpPr/><p:nvPr>'
                    f'<p:ph type="{placeholder}"/></p:nvPr></p:nvSpPr>'
                    f"<p:txBody>{paras}</p:txBody></p:sp>")
        parts[f"ppt/slides/slide{number}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><p:sld xmlns:p="{p_ns}" xmlns:a="{a_ns}">'
            f"<p:cSld><p:spTree>{shape([title], 'title')}{shape(bullets, 'body')}"
            "</p:spTree></p:cSld></p:sld>")
    parts["[Content_Types].xml"] = _content_types({})
    parts["_rels/.rels"] = _rels({"rId1": (f"{_DOC_REL}/officeDocument", "ppt/presentation.xml")})
    parts["ppt/presentation.xml"] = f'<p:presentation xmlns:p="{p_ns}"/>'
    return _zip(parts)


def epub(title: str, chapters: Sequence[tuple[str, str]]) -> bytes:
    """Chapters as (heading, paragraph text), in spine order."""
    manifest = "".join(f'<item id="c{i}" href="text/ch{i}.xhtml" '
                       'media-type="application/xhtml+xml"/>' for i in range(len(chapters)))
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    parts = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": (
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>"),
        "OEBPS/content.opf": (
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{escape(title)}'
            f"</dc:title></metadata><manifest>{manifest}</manifest><spine>{spine}</spine>"
            "</package>"),
    }
    for i, (heading, text) in enumerate(chapters):
        parts[f"OEBPS/text/ch{i}.xhtml"] = (
            '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>'
            f"{escape(heading)}</title></head><body><h1>{escape(heading)}</h1>"
            f"<p>{escape(text)}</p></body></html>")
    return _zip(parts, first="mimetype", stored=["mimetype"])
