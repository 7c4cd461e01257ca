"""PDF with PyMuPDF: text blocks in reading order, each on its 1-based page.

Headings are recognised by font size: a short block whose largest font is clearly bigger
than the body text (the most common size in the document) is a heading, bigger sizes being
higher levels. An encrypted PDF that opens with the empty password is read; one that needs a
password is reported as password-protected.
"""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from engine.kb.document import Block, ExtractedDocument, heading, paragraph
from engine.kb.errors import ExtractionError

HEADING_RATIO = 1.15
"""A block is a heading candidate when its font is at least this much larger than the body."""
MAX_HEADING_CHARS = 200


@dataclass(frozen=True, slots=True)
class _TextBlock:
    page: int
    text: str
    size: float


def _pymupdf() -> Any:
    """PyMuPDF, imported on first use (its type hints are partial: treat it as dynamic)."""
    return importlib.import_module("pymupdf")


def read_pdf(data: bytes) -> ExtractedDocument:
    pymupdf = _pymupdf()
    pymupdf.TOOLS.mupdf_display_errors(False)  # corrupt files are reported, not printed
    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError) as exc:
        raise ExtractionError(f"not a valid PDF ({exc})") from exc
    with document:
        if document.needs_pass and not document.authenticate(""):
            raise ExtractionError("the PDF is password-protected")
        title = str((document.metadata or {}).get("title") or "")
        blocks = [block for page in document for block in _page_blocks(page)]
    return ExtractedDocument.from_blocks(_classify(blocks), title=title)


def _page_blocks(page: Any) -> list[_TextBlock]:
    layout = page.get_text("dict", flags=_pymupdf().TEXTFLAGS_TEXT, sort=True)
    found: list[_TextBlock] = []
    for block in layout.get("blocks", []):
        lines = [_line_text(line) for line in block.get("lines", [])]
        text = "\n".join(line for line in lines if line.strip())
        sizes = [span["size"] for line in block.get("lines", []) for span in line["spans"]
                 if span["text"].strip()]
        if text.strip():
            found.append(_TextBlock(page.number + 1, text, max(sizes, default=0.0)))
    return found


def _line_text(line: dict[str, Any]) -> str:
    return "".join(str(span["text"]) for span in line.get("spans", [])).strip()


def _classify(blocks: list[_TextBlock]) -> list[Block]:
    """Blocks with a font notably bigger than the body become headings, ranked by size."""
    body = _body_size(blocks)
    bigger = sorted({round(b.size) for b in blocks if _is_heading(b, body)}, reverse=True)
    levels = {size: min(index + 1, 6) for index, size in enumerate(bigger)}
    result: list[Block] = []
    for block in blocks:
        if _is_heading(block, body):
            result.append(heading(" ".join(block.text.split()), levels[round(block.size)],
                                  block.page))
        else:
            result.append(paragraph(_unwrap(block.text), block.page))
    return result


def _body_size(blocks: list[_TextBlock]) -> float:
    weights: Counter[float] = Counter()
    for block in blocks:
        weights[round(block.size, 1)] += len(block.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _is_heading(block: _TextBlock, body: float) -> bool:
    return (body > 0 and block.size >= body * HEADING_RATIO
            and len(block.text) <= MAX_HEADING_CHARS)


def _unwrap(text: str) -> str:
    """Join the visual lines of a paragraph; a hyphen at a line end joins the word halves."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and out[-1].endswith("-") and line[:1].islower():
            out[-1] = out[-1][:-1] + line
        else:
            out.append(line)
    return " ".join(out)
