"""Safe reading of zip-based formats (OOXML, EPUB): size caps and no DTDs.

The input is untrusted: member sizes are checked before and while decompressing, and XML that
declares a DTD (which these formats never need; entity-expansion attacks do) is refused.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from engine.kb.errors import ExtractionError

MAX_MEMBER_BYTES = 64 * 1024 * 1024


def open_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractionError(
            f"not a valid {kind} file (corrupt, or encrypted with a password)"
        ) from exc


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise ExtractionError(f"missing part {name}") from exc
    if info.file_size > MAX_MEMBER_BYTES:
        raise ExtractionError(f"part {name} is too large")
    try:
        with archive.open(info) as member:
            data = member.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, RuntimeError, EOFError) as exc:  # RuntimeError: encrypted member
        raise ExtractionError(f"cannot read part {name}: {exc}") from exc
    if len(data) > MAX_MEMBER_BYTES:
        raise ExtractionError(f"part {name} is too large")
    return data


def parse_xml(data: bytes, name: str = "XML") -> ElementTree.Element:
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data:
        raise ExtractionError(f"{name} declares a DTD, which is not accepted")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ExtractionError(f"{name} is not well-formed XML ({exc})") from exc


def member_xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    return parse_xml(read_member(archive, name), name)


def has_member(archive: zipfile.ZipFile, name: str) -> bool:
    return name in archive.namelist()
