"""Drive file operations (BASIC.md §9.3, §14.2) on a real folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.basic.errors import FileError
from engine.office.drive import LocalDrive


@pytest.fixture
def drive(tmp_path: Path) -> LocalDrive:
    return LocalDrive(tmp_path / "bot.gbdrive")


def test_file_ops_golden_sequence(drive: LocalDrive) -> None:
    """conformance data/file_ops, at the service level."""
    drive.write("notes/a.txt", "first")
    drive.append_line("notes/a.txt", "second")
    drive.append_line("notes/log.txt", "only line")
    assert drive.read_text("notes/a.txt") == "first\nsecond\n"
    drive.copy("notes/a.txt", "notes/b.txt")
    drive.move("notes/log.txt", "archive/log.txt")
    assert drive.list("notes") == ["a.txt", "b.txt"]
    drive.write("data/people.csv", "name,age")
    assert drive.list("/") == ["archive/", "data/", "notes/"]
    drive.delete("notes/b.txt")
    assert drive.list("notes") == ["a.txt"]
    assert drive.list("missing-folder") == []
    assert drive.read_text("archive/log.txt") == "only line\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, "new\n"),
        (b"", "new\n"),
        (b"old", "old\nnew\n"),
        (b"old\n", "old\nnew\n"),
        (b"old\r\n", "old\r\nnew\n"),
        (b"\n", "\nnew\n"),
    ],
)
def test_append_line_rules(drive: LocalDrive, before: bytes | None, after: str) -> None:
    """BASIC.md §14.2."""
    if before is not None:
        drive.write("log.txt", before)
    drive.append_line("log.txt", "new")
    assert drive.read_text("log.txt") == after


def test_append_creates_parent_folders(drive: LocalDrive) -> None:
    drive.append_line("a/b/log.txt", "x")
    assert drive.read_text("a/b/log.txt") == "x\n"


def test_write_replaces_and_leaves_no_temporary_file(drive: LocalDrive) -> None:
    drive.write("a.txt", "one")
    drive.write("a.txt", b"two")
    assert drive.read_bytes("a.txt") == b"two"
    assert drive.list("/") == ["a.txt"]


def test_write_over_a_folder_or_below_a_file_is_a_file_error(drive: LocalDrive) -> None:
    drive.write("folder/a.txt", "a")
    with pytest.raises(FileError):
        drive.write("folder", "x")
    with pytest.raises(FileError):
        drive.write("folder/a.txt/b.txt", "x")
    with pytest.raises(FileError):
        drive.write("/", "x")


def test_read_text_strips_the_bom_and_decodes_utf16(drive: LocalDrive) -> None:
    drive.write("bom.txt", "\ufeffolá".encode())
    drive.write("utf16.txt", "olá\n".encode("utf-16"))
    assert drive.read_text("bom.txt") == "olá"
    assert drive.read_text("utf16.txt") == "olá\n"


def test_read_of_binary_missing_or_folder_is_a_file_error(drive: LocalDrive) -> None:
    drive.write("blob.bin", b"\xff\xfe\x00\x81garbage")
    drive.write("folder/x.txt", "x")
    for path in ("blob.bin", "missing.txt", "folder", "/"):
        with pytest.raises(FileError):
            drive.read_text(path)
    with pytest.raises(FileError):
        drive.read_bytes("missing.bin")


def test_list_sorts_and_marks_folders(drive: LocalDrive) -> None:
    for path in ("b.txt", "a.txt", "c/x.txt", "a/y.txt", "B.txt"):
        drive.write(path, "x")
    assert drive.list("") == ["B.txt", "a.txt", "a/", "b.txt", "c/"]
    assert drive.list("\\a\\") == ["y.txt"]
    with pytest.raises(FileError):
        drive.list("b.txt")


def test_copy_and_move_into_a_folder_keep_the_name(drive: LocalDrive) -> None:
    drive.write("a.txt", "a")
    drive.write("box/keep.txt", "k")
    drive.copy("a.txt", "box")
    drive.copy("a.txt", "new-folder/")
    drive.move("a.txt", "deep/er/renamed.txt")
    assert drive.list("box") == ["a.txt", "keep.txt"]
    assert drive.list("new-folder") == ["a.txt"]
    assert drive.read_text("deep/er/renamed.txt") == "a"
    with pytest.raises(FileError):
        drive.read_text("a.txt")


def test_copy_replaces_an_existing_target(drive: LocalDrive) -> None:
    drive.write("a.txt", "new")
    drive.write("b.txt", "old")
    drive.copy("a.txt", "b.txt")
    drive.copy("a.txt", "a.txt")
    assert drive.read_text("b.txt") == "new"
    assert drive.read_text("a.txt") == "new"


def test_folders_can_be_copied_moved_and_deleted(drive: LocalDrive) -> None:
    drive.write("src/a.txt", "a")
    drive.write("src/sub/b.txt", "b")
    drive.copy("src", "copy")
    drive.move("copy", "moved")
    assert drive.read_text("moved/sub/b.txt") == "b"
    with pytest.raises(FileError):
        drive.copy("src", "src/inner")
    drive.delete("moved")
    assert drive.list("/") == ["src/"]


def test_missing_sources_are_file_errors(drive: LocalDrive) -> None:
    for operation in (
        lambda: drive.copy("nope.txt", "x.txt"),
        lambda: drive.move("nope.txt", "x.txt"),
        lambda: drive.delete("nope.txt"),
        lambda: drive.compress(["nope.txt"], "x.zip"),
        lambda: drive.extract("nope.zip", "out"),
    ):
        with pytest.raises(FileError):
            operation()
    assert drive.list("/") == []


def test_store_returns_the_normalised_path(drive: LocalDrive) -> None:
    assert drive.store(b"\x00\x01", "\\uploads\\.\\x.bin") == "uploads/x.bin"
    assert drive.read_bytes("uploads/x.bin") == b"\x00\x01"
    assert drive.store(b"2", "/uploads/x.bin") == "uploads/x.bin"
    assert drive.read_bytes("uploads/x.bin") == b"2"
