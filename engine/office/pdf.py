"""PDF output for GENERATE PDF and MERGE PDF (BASIC.md §9.3), with fpdf2 and pypdf.

:class:`FpdfDocumentRenderer` lays out the sanitised HTML that :mod:`engine.office.markup`
produces. The PDF core fonts only cover Latin-1, so without a TrueType font other characters
are transliterated (``—`` → ``-``, ``€`` → ``EUR``) or replaced by ``?``; give the renderer a
:class:`PdfFont` (DejaVu Sans, Noto Sans...) to keep every character.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.errors import FPDFException
from fpdf.fonts import TextStyle
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from engine.basic.errors import FileError

_FAMILY = "body"
_TRANSLITERATIONS = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "‐": "-",
        "−": "-",
        "“": '"',
        "”": '"',
        "„": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "…": "...",
        "€": "EUR",
        "•": "-",
        "™": "(TM)",
        "\u00a0": " ",
    }
)


@dataclass(frozen=True, slots=True)
class PdfFont:
    """A TrueType family; a missing style falls back to the regular face."""

    regular: Path
    bold: Path | None = None
    italic: Path | None = None
    bold_italic: Path | None = None

    @classmethod
    def family_of(cls, regular: Path) -> PdfFont:
        """Find ``Name-Bold.ttf``, ``Name-Italic.ttf``/``-Oblique``... next to ``Name.ttf``."""

        def sibling(*styles: str) -> Path | None:
            candidates = (regular.with_name(f"{regular.stem}-{s}{regular.suffix}") for s in styles)
            return next((path for path in candidates if path.is_file()), None)

        return cls(
            regular,
            bold=sibling("Bold"),
            italic=sibling("Italic", "Oblique"),
            bold_italic=sibling("BoldItalic", "BoldOblique"),
        )

    def faces(self) -> dict[str, Path]:
        return {
            "": self.regular,
            "B": self.bold or self.regular,
            "I": self.italic or self.regular,
            "BI": self.bold_italic or self.bold or self.regular,
        }


class FpdfDocumentRenderer:
    """Renders the HTML subset of :mod:`engine.office.markup` to PDF bytes on A4 pages."""

    def __init__(self, font: PdfFont | None = None) -> None:
        self._font = font

    def render(self, markup: str) -> bytes:
        pdf = self._document()
        text = markup if self._font else _latin1(markup.translate(_TRANSLITERATIONS))
        try:
            pdf.write_html(
                text,
                font_family=self._family,
                image_map=_no_images,
                li_prefix_color=(0, 0, 0),
                warn_on_tags_not_matching=False,
                tag_styles=_HEADINGS,
            )
            return bytes(pdf.output())
        except (FPDFException, ValueError, KeyError) as exc:
            raise FileError(f"cannot render the PDF: {exc}") from exc

    @property
    def _family(self) -> str:
        return _FAMILY if self._font else "helvetica"

    def _document(self) -> FPDF:
        pdf = FPDF(format="A4")
        pdf.set_creator("Hearth")
        if self._font is not None:
            for style, path in self._font.faces().items():
                pdf.add_font(_FAMILY, style, path)
        pdf.add_page()
        pdf.set_font(self._family, size=11)
        return pdf


_HEADINGS = {
    f"h{level}": TextStyle(font_style="B", font_size_pt=size, color=(0, 0, 0), t_margin=4)
    for level, size in ((1, 20), (2, 16), (3, 14), (4, 12), (5, 11), (6, 11))
}


def _no_images(src: str) -> str:
    # The sanitiser already drops <img>; this keeps fpdf2 from ever reading a file or URL.
    raise FPDFException(f"images are not supported in templates: {src}")


def _latin1(text: str) -> str:
    """What the core fonts can show: accents kept when Latin-1 has them, else stripped or ?."""
    if text.isascii():
        return text
    return "".join(_latin1_char(char) for char in text)


def _latin1_char(char: str) -> str:
    if ord(char) < 256:
        return char
    base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
    return base or "?"


def merge_pdfs(documents: Sequence[tuple[str, bytes]]) -> bytes:
    """The pages of every ``(name, bytes)`` document in order; FileError names a bad one."""
    writer = PdfWriter()
    for name, data in documents:
        try:
            writer.append(PdfReader(io.BytesIO(data)), import_outline=False)
        except (PyPdfError, ValueError, KeyError) as exc:
            raise FileError(f"not a readable PDF: {name}") from exc
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
