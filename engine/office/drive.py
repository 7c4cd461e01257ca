"""The bot's drive on the local disk: the ``DriveService`` of BASIC.md §9.1 and §9.3.

Every operation first turns each path it was given (sources, targets, archive entries) into a
:class:`~engine.office.jail.DrivePath` through the jail, and only then touches the disk, always
through the checked real path. Writes are atomic. Paths handed back to the script are
normalised drive paths (``reports/q1.pdf``: relative, ``/`` separators, no leading ``/``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from engine.basic.errors import BasicPermissionError, BasicValueError, FileError
from engine.basic.query import Value
from engine.basic.values import text as text_form
from engine.office.archive import ArchiveLimits, extract_zip, write_zip
from engine.office.documents import extract_text
from engine.office.errors import not_found
from engine.office.jail import DriveJail, DrivePath
from engine.office.markup import render_html
from engine.office.storage import atomic_target, ensure_parent, write_atomically

if TYPE_CHECKING:
    from engine.office.pdf import PdfFont

# The method LocalDrive.list shadows the builtin inside the class body.
_Files = list[DrivePath]
_Names = list[str]

TEMPLATE_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt")
"""A one-line GENERATE PDF template ending like this names a drive file, not template text."""


class LocalDrive:
    """A drive folder on the local file system, jailed to ``root`` (created if missing).

    Symbolic links inside the drive are followed when they lead to a place inside it (an
    operation on such a link acts on what it points to); any other link is refused.
    """

    def __init__(
        self,
        root: Path,
        *,
        pdf_font: PdfFont | None = None,
        archive_limits: ArchiveLimits | None = None,
    ) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self._jail = DriveJail(root)
        self._pdf_font = pdf_font
        self._limits = archive_limits or ArchiveLimits()

    @property
    def root(self) -> Path:
        return self._jail.root

    # reading ------------------------------------------------------------------------------

    def read_text(self, path: str) -> str:
        file = self._file(path)
        return extract_text(file.name, self._bytes(file))

    def read_bytes(self, path: str) -> bytes:
        return self._bytes(self._file(path))

    def list(self, folder: str) -> list[str]:
        target = self._jail.resolve(folder)
        if not target.real.exists():
            return []
        if not target.real.is_dir():
            raise FileError(f"not a folder: {target.drive}")
        names = (self._entry_name(target, entry) for entry in os.listdir(target.real))
        return sorted(names)

    # writing ------------------------------------------------------------------------------

    def write(self, path: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        self._write(self._writable(path), data)

    def append_line(self, path: str, text: str) -> None:
        """BASIC.md §14.2: a line break first unless the file is empty or already ends in one."""
        target = self._writable(path)
        with _os_errors(target), target.real.open("a+b") as file:
            file.seek(0, os.SEEK_END)
            if file.tell() > 0:
                file.seek(-1, os.SEEK_END)
                if file.read(1) not in (b"\n", b"\r"):
                    file.write(b"\n")
            file.write(text.encode("utf-8") + b"\n")

    def store(self, data: bytes, target: str) -> str:
        checked = self._writable(target)
        self._write(checked, data)
        return checked.drive

    def copy(self, source: str, target: str) -> None:
        origin, destination = self._source_and_destination(source, target)
        if origin.real == destination.real:
            return
        with _os_errors(destination):
            if origin.real.is_dir():
                shutil.copytree(origin.real, destination.real, symlinks=True, dirs_exist_ok=True)
                return
            with atomic_target(destination.real) as temporary:
                shutil.copyfile(origin.real, temporary)

    def move(self, source: str, target: str) -> None:
        origin, destination = self._source_and_destination(source, target)
        if origin.real == destination.real:
            return
        with _os_errors(destination):
            os.replace(origin.real, destination.real)

    def delete(self, path: str) -> None:
        target = self._existing(path)
        if not target.drive:
            raise BasicPermissionError("the drive root cannot be deleted")
        with _os_errors(target, gone=True):
            if target.real.is_dir():
                shutil.rmtree(target.real)
            else:
                target.real.unlink()

    # archives and documents ---------------------------------------------------------------

    def compress(self, paths: Sequence[str], archive: str) -> str:
        target = self._jail.resolve(archive)
        files: dict[str, DrivePath] = {}
        for path in paths:
            for file in self._files_below(self._existing(path)):
                files.setdefault(file.drive, file)
        files.pop(target.drive, None)  # an older copy of the archive never goes into itself
        write_zip(list(files.values()), self._writable(archive))
        return target.drive

    def extract(self, archive: str, folder: str) -> _Names:
        base = self._jail.resolve(folder)
        source = self._file(archive)
        if base.real.is_file():
            raise FileError(f"not a folder: {base.drive}")
        return extract_zip(self._jail, source, base, self._limits)

    def generate_pdf(self, template: str, data: Value, target: str) -> str:
        self._jail.resolve(target)  # refuse a bad target before the work, not after
        from engine.office.pdf import FpdfDocumentRenderer  # fpdf2 takes ~150 ms to import

        markup = render_html(self._template_text(template), data, text_form)
        return self.store(FpdfDocumentRenderer(self._pdf_font).render(markup), target)

    def merge_pdf(self, paths: Sequence[str], target: str) -> str:
        if not paths:
            raise BasicValueError("MERGE PDF needs at least one file")
        from engine.office.pdf import merge_pdfs

        self._jail.resolve(target)
        documents = [(path, self.read_bytes(path)) for path in paths]
        return self.store(merge_pdfs(documents), target)

    # helpers ------------------------------------------------------------------------------

    def _existing(self, path: str) -> DrivePath:
        target = self._jail.resolve(path)
        if not target.real.exists():
            raise not_found(target.drive)
        return target

    def _file(self, path: str) -> DrivePath:
        target = self._existing(path)
        if target.real.is_dir():
            raise FileError(f"is a folder, not a file: {target.drive or '/'}")
        return target

    def _writable(self, path: str) -> DrivePath:
        """A file target: checked, not a folder, its parent folders created."""
        target = self._jail.resolve(path)
        if not target.drive or target.real.is_dir():
            raise FileError(f"is a folder, not a file: {target.drive or '/'}")
        ensure_parent(target)
        return target

    def _source_and_destination(self, source: str, target: str) -> tuple[DrivePath, DrivePath]:
        """Both checked by the jail before either is looked at; parents of the target made.

        The target is ``target/<source name>`` when it ends with ``/`` or is an existing folder.
        """
        checked = self._jail.resolve(target)
        origin = self._existing(source)
        if target.replace("\\", "/").endswith("/") or checked.real.is_dir():
            checked = self._jail.child(checked, origin.name)
        if origin.real.is_dir() and checked.real.is_relative_to(origin.real):
            raise FileError(f"cannot put the folder {origin.drive} inside itself")
        if not checked.drive:
            raise FileError("the drive root cannot be replaced")
        ensure_parent(checked)
        return origin, checked

    def _files_below(self, start: DrivePath) -> _Files:
        """``start`` itself, or every file below the folder, each checked by the jail."""
        if not start.real.is_dir():
            return [start]
        found: _Files = []
        for folder, subfolders, names in os.walk(start.real):
            subfolders.sort()
            relative = Path(folder).relative_to(start.real).as_posix()
            prefix = start.drive if relative == "." else f"{start.drive}/{relative}"
            found += [self._jail.resolve(f"{prefix}/{name}") for name in sorted(names)]
        return found

    def _entry_name(self, folder: DrivePath, name: str) -> str:
        try:
            entry = self._jail.child(folder, name)
        except BasicPermissionError:  # a link out of the drive is listed, never followed
            return name
        return f"{name}/" if entry.real.is_dir() else name

    def _template_text(self, template: str) -> str:
        line = template.strip()
        if "\n" not in line and line.lower().endswith(TEMPLATE_SUFFIXES):
            return self.read_text(line)
        return template

    def _bytes(self, file: DrivePath) -> bytes:
        with _os_errors(file, gone=True):
            return file.real.read_bytes()

    def _write(self, target: DrivePath, data: bytes) -> None:
        with _os_errors(target):
            write_atomically(target.real, data)


@contextmanager
def _os_errors(path: DrivePath, *, gone: bool = False) -> Iterator[None]:
    """Turn an OSError from the file system into a FileError naming the drive path.

    ``gone``: ``path`` is the one file the block works on, so a missing file means it was
    removed meanwhile (``DriveFileNotFound``).
    """
    try:
        yield
    except OSError as error:
        if gone and isinstance(error, FileNotFoundError):
            raise not_found(path.drive) from error
        reason = error.strerror or type(error).__name__
        raise FileError(f"{reason}: {path.drive or '/'}") from error
