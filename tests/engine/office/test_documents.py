"""READ of office documents and PDFs yields their text (BASIC.md §9.3)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fpdf import FPDF

from engine.basic.errors import FileError
from engine.office.drive import LocalDrive

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
PKG = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'


@pytest.fixture
def drive(tmp_path: Path) -> LocalDrive:
    return LocalDrive(tmp_path / "bot.gbdrive")


def _office(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return buffer.getvalue()


def _docx(body: str) -> bytes:
    return _office({"word/document.xml": f"<w:document {W}><w:body>{body}</w:body></w:document>"})


def test_docx_paragraphs_tabs_and_breaks(drive: LocalDrive) -> None:
    body = (
        "<w:p><w:r><w:t>Hello </w:t></w:r><w:r><w:t>world</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t></w:r></w:p>"
    )
    drive.write("doc.docx", _docx(body))
    assert drive.read_text("doc.docx") == "Hello world\na\tb\nc"


def test_xlsx_sheets_rows_and_shared_strings(drive: LocalDrive) -> None:
    sheet = (
        f"<worksheet {S}><sheetData>"
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>42</v></c></row>'
        '<row r="2"><c r="B2" t="inlineStr"><is><t>inline</t></is></c>'
        '<c r="C2" t="b"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    data = _office(
        {
            "xl/workbook.xml": f'<workbook {S} {R}><sheets><sheet name="Sales" r:id="rId1"/>'
            "</sheets></workbook>",
            "xl/_rels/workbook.xml.rels": f'<Relationships {PKG}><Relationship Id="rId1" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
            "xl/sharedStrings.xml": f"<sst {S}><si><t>Name</t></si></sst>",
            "xl/worksheets/sheet1.xml": sheet,
        }
    )
    drive.write("book.xlsx", data)
    assert drive.read_text("book.xlsx") == "Sales\nName\t\t42\n\tinline\ttrue"


def test_pptx_slides_in_numeric_order(drive: LocalDrive) -> None:
    def slide(text: str) -> str:
        return f"<p:sld xmlns:p='urn:p' {A}><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:sld>"

    parts = {f"ppt/slides/slide{n}.xml": slide(f"slide {n}") for n in (10, 2, 1)}
    drive.write("deck.pptx", _office(parts))
    assert drive.read_text("deck.pptx") == "slide 1\n\nslide 2\n\nslide 10"


def test_pdf_text(drive: LocalDrive) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Invoice 42")
    drive.write("in.pdf", bytes(pdf.output()))
    drive.write("no-suffix", bytes(pdf.output()))
    assert drive.read_text("in.pdf") == "Invoice 42"
    assert drive.read_text("no-suffix") == "Invoice 42"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.pdf", b"%PDF-1.4 nonsense"),
        ("broken.docx", b"not a zip"),
        ("empty.docx", _office({"other.xml": "<x/>"})),
        ("bad.docx", _office({"word/document.xml": "<unclosed>"})),
        (
            "bomb.docx",
            _office(
                {
                    "word/document.xml": '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
                    f"<w:document {W}>&a;</w:document>"
                }
            ),
        ),
    ],
)
def test_unreadable_documents_are_file_errors(drive: LocalDrive, name: str, data: bytes) -> None:
    drive.write(name, data)
    with pytest.raises(FileError):
        drive.read_text(name)
