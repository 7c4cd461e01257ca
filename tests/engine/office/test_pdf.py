"""GENERATE PDF and MERGE PDF (BASIC.md §9.3) produce real PDFs."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from engine.basic.errors import BasicValueError, FileError
from engine.office.drive import LocalDrive
from engine.office.pdf import PdfFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture
def drive(tmp_path: Path) -> LocalDrive:
    return LocalDrive(tmp_path / "bot.gbdrive")


def _pages(drive: LocalDrive, path: str) -> int:
    return len(PdfReader(io.BytesIO(drive.read_bytes(path))).pages)


def test_markdown_template_text_with_placeholders(drive: LocalDrive) -> None:
    template = "# Invoice {number}\n\nCustomer: **{customer.name}**\nDue: {due}\n\n- {missing}item"
    data = {"number": 42, "customer": {"Name": "Ana <b>"}, "due": date(2026, 1, 15)}
    path = drive.generate_pdf(template, data, "\\out\\invoice.pdf")
    assert path == "out/invoice.pdf"
    assert drive.read_bytes(path).startswith(b"%PDF-")
    text = drive.read_text(path)
    for expected in ("Invoice 42", "Customer: Ana <b>", "Due: 2026-01-15", "item"):
        assert expected in text
    assert "{" not in text


def test_template_from_a_drive_file(drive: LocalDrive) -> None:
    drive.write("templates/letter.html", "<h1>Dear {name}</h1><p>Thanks.</p>")
    drive.generate_pdf("templates/letter.html", {"name": "Bo"}, "letter.pdf")
    assert "Dear Bo" in drive.read_text("letter.pdf")
    with pytest.raises(FileError):
        drive.generate_pdf("templates/missing.md", {}, "x.pdf")


def test_html_template_cannot_load_files_or_run_scripts(drive: LocalDrive, tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(b"not an image")
    template = (
        f'<p>Hi</p><img src="{tmp_path / "secret.png"}"><img src="http://127.0.0.1:1/x.png">'
        '<script>alert(1)</script><style>p{color:red}</style><p style="x">Bye</p>'
    )
    drive.generate_pdf(template, None, "safe.pdf")
    text = drive.read_text("safe.pdf")
    assert "Hi" in text and "Bye" in text
    assert "alert" not in text and "color" not in text


def test_core_font_transliterates_what_latin1_lacks(drive: LocalDrive) -> None:
    drive.generate_pdf("Preço — {v} €", {"v": "ação"}, "latin.pdf")
    assert drive.read_text("latin.pdf") == "Preço - ação EUR"


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans is not installed")
def test_a_truetype_font_keeps_every_character(tmp_path: Path) -> None:
    drive = LocalDrive(tmp_path / "d", pdf_font=PdfFont.family_of(DEJAVU))
    drive.generate_pdf("**Preço** — 5 € *ok*", {}, "u.pdf")
    assert drive.read_text("u.pdf") == "Preço — 5 € ok"


def test_merge_pdf_concatenates_pages(drive: LocalDrive) -> None:
    drive.generate_pdf("one", {}, "a.pdf")
    drive.generate_pdf("two", {}, "b.pdf")
    assert drive.merge_pdf(["a.pdf", "/b.pdf", "a.pdf"], "all/merged.pdf") == "all/merged.pdf"
    assert _pages(drive, "all/merged.pdf") == 3
    assert drive.read_text("all/merged.pdf").split() == ["one", "two", "one"]


def test_merge_pdf_errors(drive: LocalDrive) -> None:
    drive.write("notes.txt", "not a pdf")
    with pytest.raises(FileError):
        drive.merge_pdf(["notes.txt"], "m.pdf")
    with pytest.raises(FileError):
        drive.merge_pdf(["missing.pdf"], "m.pdf")
    with pytest.raises(BasicValueError):
        drive.merge_pdf([], "m.pdf")
    assert drive.list("/") == ["notes.txt"]
