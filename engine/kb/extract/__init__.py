"""Text out of documents, one reader per format, chosen by file extension.

Readers are registered like a third party would add one (:func:`register`). Each takes the
file's bytes and returns an :class:`~engine.kb.document.ExtractedDocument`; anything that goes
wrong while reading untrusted bytes becomes an :class:`~engine.kb.errors.ExtractionError` with
a message a user can act on ("password-protected", "not a valid PDF"). Files of a text format
are sniffed first: binary content under a text extension is refused (:mod:`.sniff`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePath

from engine.kb.document import ExtractedDocument
from engine.kb.errors import ExtractionError
from engine.kb.extract.sniff import BINARY_CONTENT, SNIFF_BYTES, TEXT_SUFFIXES, looks_binary

Reader = Callable[[bytes], ExtractedDocument]

_READERS: dict[str, Reader] = {}


def register(suffixes: Iterable[str], reader: Reader) -> None:
    """Use ``reader`` for files ending in any of ``suffixes`` (without the dot, any case)."""
    for suffix in suffixes:
        _READERS[suffix.lower().lstrip(".")] = reader


def suffix_of(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def supports(name: str) -> bool:
    _ensure_builtins()
    return suffix_of(name) in _READERS


def supported_suffixes() -> frozenset[str]:
    _ensure_builtins()
    return frozenset(_READERS)


def extract(name: str, data: bytes) -> ExtractedDocument:
    """The text and structure of the file ``name`` whose content is ``data``."""
    _ensure_builtins()
    suffix = suffix_of(name)
    reader = _READERS.get(suffix)
    if reader is None:
        raise ExtractionError(f"unsupported file type: {name}")
    if suffix in TEXT_SUFFIXES and looks_binary(data[:SNIFF_BYTES]):
        raise ExtractionError(BINARY_CONTENT)
    try:
        return reader(data)
    except ExtractionError:
        raise
    except (ValueError, KeyError, IndexError, UnicodeError, RuntimeError, OSError) as exc:
        # Readers of untrusted bytes fail in many ways; each one is "this file is unreadable".
        raise ExtractionError(f"cannot read {name}: {exc}") from exc


_loaded = False


def _ensure_builtins() -> None:
    """Register the built-in readers on first use (they import their libraries lazily)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from engine.kb.extract import epub, html, ooxml, pdf, text

    register(["pdf"], pdf.read_pdf)
    register(["docx"], ooxml.read_docx)
    register(["xlsx", "xlsm"], ooxml.read_xlsx)
    register(["pptx"], ooxml.read_pptx)
    register(["html", "htm", "xhtml"], html.read_html)
    register(["epub"], epub.read_epub)
    register(["md", "markdown"], text.read_markdown)
    register(["txt", "text", "log"], text.read_plain)
    register(["csv", "tsv"], text.read_csv)
    register(["json", "jsonl", "ndjson"], text.read_json)
    register(["xml"], text.read_xml)
    register(["rtf"], text.read_rtf)
