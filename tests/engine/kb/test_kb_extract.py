"""Every supported format yields its text, structure and pages; broken files are reported."""

from __future__ import annotations

import json

import kb_documents as documents
import pytest

from engine.kb.document import BlockKind, ExtractedDocument
from engine.kb.errors import ExtractionError
from engine.kb.extract import extract, supported_suffixes


def _headings(document: ExtractedDocument) -> list[str]:
    return [p.block.text for p in document.blocks if p.block.kind is BlockKind.HEADING]


def _pages_of(document: ExtractedDocument, needle: str) -> set[int | None]:
    return {p.block.page for p in document.blocks if needle in p.block.text}


def test_pdf_pages_and_headings() -> None:
    data = documents.pdf([
        [("Installation Guide", 22), ("Unpack the router and plug it in. " * 3, 11)],
        [("Troubleshooting", 22), ("If the light blinks red, hold reset for ten seconds.", 11)],
    ], title="Router manual")
    document = extract("manual.pdf", data)
    assert document.title == "Router manual"
    assert _headings(document) == ["Installation Guide", "Troubleshooting"]
    assert _pages_of(document, "blinks red") == {2}
    assert _pages_of(document, "Unpack the router") == {1}
    assert document.pages == 2
    for placed in document.blocks:
        assert document.text[placed.start:placed.end] == placed.block.text


def test_corrupt_pdf_is_reported() -> None:
    good = documents.pdf([[("Some text", 11)]])
    with pytest.raises(ExtractionError, match="not a valid PDF"):
        extract("broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(ExtractionError):
        extract("truncated.pdf", good[: len(good) // 3])


def test_password_protected_pdf_is_reported() -> None:
    data = documents.pdf([[("Secret plans", 11)]], password="s3cret")
    with pytest.raises(ExtractionError, match="password-protected"):
        extract("secret.pdf", data)


def test_docx_headings_tables_and_page_breaks() -> None:
    data = documents.docx(
        [("Handbook", "Heading1"), ("Welcome to the company.", None),
         ("Holidays", "Heading2"), ("Everyone gets 25 days of paid leave.", None)],
        table=[["Office", "City"], ["HQ", "Lisbon"]], page_break_after=1)
    document = extract("handbook.docx", data)
    assert _headings(document) == ["Handbook", "Holidays"]
    assert [p.block.level for p in document.blocks if p.block.kind is BlockKind.HEADING] == [1, 2]
    assert "HQ | Lisbon" in document.text
    assert _pages_of(document, "Welcome") == {1}
    assert _pages_of(document, "25 days") == {2}


def test_docx_without_page_marks_has_no_pages() -> None:
    document = extract("plain.docx", documents.docx([("Just text.", None)]))
    assert _pages_of(document, "Just text") == {None}


def test_xlsx_sheets_are_pages_with_labelled_rows() -> None:
    data = documents.xlsx({"Prices": [["Product", "Price"], ["Widget", "9.50"]],
                           "Staff": [["Name", "Role"], ["Ana", "Engineer"]]})
    document = extract("book.xlsx", data)
    assert _headings(document) == ["Prices", "Staff"]
    assert "Product: Widget | Price: 9.50" in document.text
    assert _pages_of(document, "Role: Engineer") == {2}


def test_pptx_slides_are_pages() -> None:
    data = documents.pptx([("Quarterly results", ["Revenue grew 12%"]),
                           ("Next steps", ["Hire two engineers"])])
    document = extract("deck.pptx", data)
    assert _headings(document) == ["Quarterly results", "Next steps"]
    assert _pages_of(document, "Hire two engineers") == {2}


def test_html_skips_scripts_and_navigation() -> None:
    page = b"""<!doctype html><html><head><title>Docs</title><style>p{}</style>
    <script>var secret = 1;</script></head><body><nav><a href="/">Home</a> menu</nav>
    <h1>Setup</h1><p>Install &amp; run.</p><ul><li>First item</li></ul>
    <table><tr><td>Port</td><td>8080</td></tr></table><footer>Copyright</footer></body></html>"""
    document = extract("page.html", page)
    assert document.title == "Docs"
    assert _headings(document) == ["Setup"]
    assert "Install & run." in document.text
    assert "Port | 8080" in document.text
    for absent in ("secret", "menu", "Copyright", "p{}"):
        assert absent not in document.text


def test_markdown_headings_and_code() -> None:
    text = ("---\ntitle: x\n---\n# Guide\n\nIntro text.\n\nUsage\n-----\n\n"
            "```\n# not a heading\n```\n")
    document = extract("guide.md", text.encode())
    assert _headings(document) == ["Guide", "Usage"]
    assert "# not a heading" in document.text
    assert "title: x" not in document.text


def test_plain_text_form_feeds_are_pages() -> None:
    document = extract("notes.txt", b"First page.\n\nStill first.\fSecond page.")
    assert _pages_of(document, "Second page") == {2}
    assert _pages_of(document, "Still first") == {1}


def test_text_in_windows_1252_and_utf16() -> None:
    assert "café" in extract("a.txt", "café".encode("cp1252")).text
    assert "café" in extract("b.txt", "café".encode("utf-16")).text


def test_csv_rows_are_labelled() -> None:
    document = extract("people.csv", b"name;city\nAna;Porto\nRui;Braga\n")
    assert "name: Ana | city: Porto" in document.text


def test_json_and_json_lines() -> None:
    data = json.dumps({"product": {"name": "Widget", "tags": ["a", "b"]}, "price": 3}).encode()
    document = extract("data.json", data)
    assert "product.name: Widget" in document.text
    assert "product.tags[1]: b" in document.text
    lines = extract("rows.jsonl", b'{"q": "hello"}\n{"q": "bye"}\n')
    assert "q: bye" in lines.text
    with pytest.raises(ExtractionError):
        extract("bad.json", b"{nope")


def test_epub_chapters_in_spine_order() -> None:
    data = documents.epub("The Book", [("Chapter One", "It was a dark night."),
                                       ("Chapter Two", "Morning came.")])
    document = extract("book.epub", data)
    assert document.title == "The Book"
    assert _headings(document) == ["Chapter One", "Chapter Two"]
    assert document.text.index("dark night") < document.text.index("Morning came")


def test_xml_and_rtf() -> None:
    xml = extract("feed.xml", b"<root><item>Alpha <b>beta</b> gamma</item></root>")
    assert "Alpha" in xml.text and "beta" in xml.text
    rtf = extract("memo.rtf", rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\f0 Hello \b world\b0\par "
                              rb"Caf\'e9 \u8212? ok}")
    assert "Hello world" in rtf.text
    assert "Café — ok" in rtf.text
    assert "Arial" not in rtf.text


def test_hostile_xml_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(ExtractionError, match="DTD"):
        extract("bomb.xml", bomb)


@pytest.mark.parametrize("name", ["broken.docx", "broken.xlsx", "broken.pptx", "broken.epub"])
def test_corrupt_zip_formats_are_reported(name: str) -> None:
    with pytest.raises(ExtractionError, match="not a valid"):
        extract(name, b"PK\x03\x04 this is not really a zip")


def test_unsupported_type() -> None:
    with pytest.raises(ExtractionError, match="unsupported"):
        extract("movie.mp4", b"\x00")
    assert {"pdf", "docx", "xlsx", "pptx", "html", "md", "txt", "csv", "json",
            "epub"} <= supported_suffixes()
