"""The drive's typed "file not found" (engine/office/errors.py): callers such as the server
tell it apart by type, scripts still trap it as an ordinary FileError."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.basic.errors import FileError
from engine.office.drive import LocalDrive
from engine.office.errors import DriveFileNotFound


@pytest.fixture
def drive(tmp_path: Path) -> LocalDrive:
    return LocalDrive(tmp_path / "bot.gbdrive")


@pytest.mark.parametrize("call", [
    lambda d: d.read_bytes("missing.txt"),
    lambda d: d.read_text("docs/missing.md"),
    lambda d: d.delete("missing.txt"),
    lambda d: d.copy("missing.txt", "b.txt"),
    lambda d: d.move("missing.txt", "b.txt"),
    lambda d: d.compress(["missing.txt"], "a.zip"),
])
def test_a_missing_file_is_typed(drive: LocalDrive, call: object) -> None:
    with pytest.raises(DriveFileNotFound) as raised:
        call(drive)  # type: ignore[operator]
    assert isinstance(raised.value, FileError) and raised.value.kind == "FileError"
    assert raised.value.number == 53 and raised.value.message.startswith("file not found: ")


def test_a_file_removed_between_the_check_and_the_read_is_not_found(drive: LocalDrive) -> None:
    drive.write("gone.txt", "soon gone")
    checked = drive._file("gone.txt")  # the check passes...
    checked.real.unlink()  # ...then another writer removes the file before the read
    with pytest.raises(DriveFileNotFound, match=r"file not found: gone\.txt"):
        drive._bytes(checked)


def test_other_file_errors_are_not_not_found(drive: LocalDrive) -> None:
    drive.write("docs/a.txt", "a")
    with pytest.raises(FileError) as raised:
        drive.read_bytes("docs")
    assert not isinstance(raised.value, DriveFileNotFound)
    assert "is a folder" in raised.value.message
