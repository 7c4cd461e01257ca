"""COMPRESS and EXTRACT (BASIC.md §9.3): drive paths kept, entries jailed, bombs defused."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from engine.basic.errors import BasicPermissionError, FileError
from engine.office.archive import ArchiveLimits
from engine.office.drive import LocalDrive


@pytest.fixture
def drive(tmp_path: Path) -> LocalDrive:
    return LocalDrive(tmp_path / "bot" / "bot.gbdrive")


def _zip(drive: LocalDrive, name: str, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(drive.root / name, "w") as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)


def test_file_archive_golden_sequence(drive: LocalDrive) -> None:
    """conformance data/file_archive."""
    drive.write("docs/a.txt", "alpha")
    drive.write("docs/b.txt", "beta")
    assert drive.compress(["docs/a.txt", "/docs/b.txt"], "backup\\docs.zip") == "backup/docs.zip"
    with zipfile.ZipFile(drive.root / "backup" / "docs.zip") as archive:
        assert archive.namelist() == ["docs/a.txt", "docs/b.txt"]
    assert drive.extract("backup/docs.zip", "restored/") == [
        "restored/docs/a.txt",
        "restored/docs/b.txt",
    ]
    assert drive.read_text("restored/docs/b.txt") == "beta"


def test_compress_a_folder_keeps_drive_paths_and_skips_the_archive(drive: LocalDrive) -> None:
    drive.write("docs/z.txt", "z")
    drive.write("docs/sub/a.txt", "a")
    drive.compress(["docs"], "docs/all.zip")
    drive.compress(["docs", "docs/z.txt"], "docs/all.zip")
    with zipfile.ZipFile(drive.root / "docs" / "all.zip") as archive:
        assert archive.namelist() == ["docs/z.txt", "docs/sub/a.txt"]


def test_extract_returns_files_in_archive_order(drive: LocalDrive) -> None:
    _zip(drive, "a.zip", {"z.txt": b"z", "dir/": b"", "dir/a.txt": b"a", "m.txt": b"m"})
    assert drive.extract("a.zip", "/") == ["z.txt", "dir/a.txt", "m.txt"]
    assert drive.list("/") == ["a.zip", "dir/", "m.txt", "z.txt"]


@pytest.mark.parametrize(
    "entry",
    [
        "../evil.txt",
        "ok/../../evil.txt",
        "/etc/evil.txt",
        "\\evil.txt",
        "..\\evil.txt",
        "C:/evil.txt",
    ],
)
def test_zip_slip_is_refused_before_anything_is_written(drive: LocalDrive, entry: str) -> None:
    _zip(drive, "evil.zip", {"first.txt": b"1", entry: b"evil"})
    with pytest.raises(BasicPermissionError):
        drive.extract("evil.zip", "out")
    assert drive.list("/") == ["evil.zip"]
    assert [p.name for p in drive.root.parent.iterdir()] == ["bot.gbdrive"]


def test_an_entry_may_not_climb_out_of_its_folder_even_inside_the_drive(drive: LocalDrive) -> None:
    _zip(drive, "a.zip", {"../sibling.txt": b"x"})
    with pytest.raises(BasicPermissionError):
        drive.extract("a.zip", "deep/out")


def test_symlink_entries_become_plain_files(drive: LocalDrive) -> None:
    info = zipfile.ZipInfo("link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(drive.root / "l.zip", "w") as archive:
        archive.writestr(info, "/etc/passwd")
    assert drive.extract("l.zip", "out") == ["out/link"]
    assert not (drive.root / "out" / "link").is_symlink()
    assert drive.read_text("out/link") == "/etc/passwd"


def test_archive_limits_count_real_bytes(tmp_path: Path) -> None:
    drive = LocalDrive(tmp_path / "d", archive_limits=ArchiveLimits(max_bytes=1000, max_entries=3))
    _zip(drive, "big.zip", {"big.bin": b"\0" * 5000})
    with pytest.raises(FileError):
        drive.extract("big.zip", "out")
    _zip(drive, "many.zip", {f"{n}.txt": b"x" for n in range(4)})
    with pytest.raises(FileError):
        drive.extract("many.zip", "out")
    assert drive.list("out") == []


def test_a_lying_header_is_caught_while_inflating(tmp_path: Path) -> None:
    drive = LocalDrive(tmp_path / "d", archive_limits=ArchiveLimits(max_bytes=1000))
    _zip(drive, "liar.zip", {"bomb.bin": b"\0" * 100_000})
    data = bytearray((drive.root / "liar.zip").read_bytes())
    for marker, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(marker)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")  # declared size
    (drive.root / "liar.zip").write_bytes(bytes(data))
    with pytest.raises(FileError):
        drive.extract("liar.zip", "out")
    assert drive.list("out") == []


def test_not_a_zip_is_a_file_error(drive: LocalDrive) -> None:
    drive.write("fake.zip", "not a zip")
    with pytest.raises(FileError):
        drive.extract("fake.zip", "out")
