"""Files a person hands to a bot, and the documents its citations point at.

Attachments are copied into the bot's drive (``uploads/``) so the engine sees them as drive
paths (BASIC.md §5.3). Citations name a knowledge-base source; :func:`resolve_citation` finds
the file on disk so the viewer can open it at the cited page.
"""

from __future__ import annotations

import mimetypes
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.bots.package import BotPackage
from engine.events import CitationDTO

UPLOADS = "uploads"


@dataclass(frozen=True, slots=True)
class SourceTarget:
    """A cited document on disk, the page to show and the passage to highlight."""

    path: Path
    page: int | None
    snippet: str

    @property
    def is_pdf(self) -> bool:
        return self.path.suffix.lower() == ".pdf"


def attach(drive_root: Path, source: Path) -> dict[str, Any]:
    """Copy ``source`` into the drive's uploads folder; the attachment map for the engine."""
    folder = drive_root / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, source.name)
    shutil.copyfile(source, target)
    mime = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    return {"name": source.name, "path": f"{UPLOADS}/{target.name}", "mime": mime,
            "size": target.stat().st_size}


def _free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({counter}){suffix}"
        counter += 1
    return candidate


def resolve_citation(package: BotPackage, citation: CitationDTO) -> SourceTarget | None:
    """The file a citation names: an absolute path, a path in the KB, or one in the drive."""
    source = citation.source.strip()
    if not source or "://" in source:
        return None
    for candidate in _candidates(package, source):
        if candidate.is_file():
            return SourceTarget(candidate, citation.page, citation.snippet)
    return None


def _candidates(package: BotPackage, source: str) -> list[Path]:
    raw = Path(source)
    if raw.is_absolute():
        return [raw]
    found = [package.kb_dir / raw, package.drive_dir / raw, package.root / raw]
    if package.kb_dir.is_dir():
        found.extend(package.kb_dir.rglob(raw.name))
    return found


def web_source(citation: CitationDTO) -> str | None:
    """A citation of a crawled web page: its URL."""
    source = citation.source.strip()
    return source if source.startswith(("http://", "https://")) else None
