"""The drive jail (BASIC.md §9.1): no path, link or archive entry reaches outside the drive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.basic.errors import BasicPermissionError, FileError
from engine.office.drive import LocalDrive
from engine.office.jail import drive_parts, normalise


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("secret")
    return folder


@pytest.fixture
def drive(tmp_path: Path) -> LocalDrive:
    return LocalDrive(tmp_path / "bot" / "bot.gbdrive")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("notes/a.txt", "notes/a.txt"),
        ("/notes/a.txt", "notes/a.txt"),
        ("\\notes\\a.txt", "notes/a.txt"),
        ("notes//./a.txt", "notes/a.txt"),
        ("a/../b.txt", "b.txt"),
        ("a/b/../../c", "c"),
        ("//server/share", "server/share"),
        ("", ""),
        ("/", ""),
        ("notes/", "notes"),
    ],
)
def test_normalise(path: str, expected: str) -> None:
    assert normalise(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "../outside.txt",
        "a/../../escape.txt",
        "..",
        "/..",
        "..\\x",
        "a\\..\\..\\x",
        "C:\\Windows\\win.ini",
        "c:/x",
        "C:",
        "z:relative",
        "bad\x00name",
    ],
)
def test_paths_leaving_the_drive_are_refused(path: str) -> None:
    with pytest.raises(BasicPermissionError):
        drive_parts(path)


@pytest.mark.parametrize(
    "path", ["a/CON", "nul.txt", "Com1.log", "x/.. /y", "a./b", "file.txt:stream", "a?b", "a\x01"]
)
def test_windows_only_names_are_refused_on_windows(path: str) -> None:
    with pytest.raises(BasicPermissionError):
        drive_parts(path, windows=True)


def test_windows_rules_keep_ordinary_names() -> None:
    path = "Reports/Q1 2026/console.txt"
    assert drive_parts(path, windows=True) == ("Reports", "Q1 2026", "console.txt")


def test_drive_jail_golden_sequence(drive: LocalDrive) -> None:
    """conformance errors/drive_jail."""
    drive.write("notes/ok.txt", "fine")
    assert drive.read_text("notes/ok.txt") == "fine"
    with pytest.raises(BasicPermissionError):
        drive.read_text("../outside.txt")
    with pytest.raises(BasicPermissionError):
        drive.write("a/../../escape.txt", "x")
    with pytest.raises(BasicPermissionError):
        drive.read_text("C:\\Windows\\win.ini")
    assert drive.read_text("/notes/ok.txt") == "fine"
    with pytest.raises(FileError):
        drive.read_text("missing.txt")
    assert not (drive.root.parent / "escape.txt").exists()


def test_every_operation_checks_every_path(drive: LocalDrive) -> None:
    drive.write("a.txt", "a")
    escapes = [
        lambda: drive.read_bytes("../x"),
        lambda: drive.append_line("../x", "t"),
        lambda: drive.list(".."),
        lambda: drive.copy("a.txt", "../b.txt"),
        lambda: drive.copy("../a.txt", "b.txt"),
        lambda: drive.copy("missing.txt", "../b.txt"),
        lambda: drive.move("a.txt", "..\\b.txt"),
        lambda: drive.delete("../a.txt"),
        lambda: drive.store(b"x", "../b.bin"),
        lambda: drive.compress(["a.txt"], "../a.zip"),
        lambda: drive.compress(["../a.txt"], "a.zip"),
        lambda: drive.extract("a.zip", "../out"),
        lambda: drive.generate_pdf("# t", {}, "../t.pdf"),
        lambda: drive.generate_pdf("../template.md", {}, "t.pdf"),
        lambda: drive.merge_pdf(["../a.pdf"], "m.pdf"),
    ]
    for escape in escapes:
        with pytest.raises(BasicPermissionError):
            escape()
    assert drive.read_text("a.txt") == "a"
    assert sorted(p.name for p in drive.root.parent.iterdir()) == ["bot.gbdrive"]


def test_the_drive_root_cannot_be_deleted(drive: LocalDrive) -> None:
    with pytest.raises(BasicPermissionError):
        drive.delete("/")


needs_symlinks = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges")


@needs_symlinks
def test_a_link_to_a_file_outside_is_refused(drive: LocalDrive, outside: Path) -> None:
    (drive.root / "link.txt").symlink_to(outside / "secret.txt")
    for operation in (
        lambda: drive.read_text("link.txt"),
        lambda: drive.write("link.txt", "overwritten"),
        lambda: drive.append_line("link.txt", "more"),
        lambda: drive.copy("link.txt", "copy.txt"),
        lambda: drive.move("link.txt", "moved.txt"),
        lambda: drive.delete("link.txt"),
        lambda: drive.compress(["link.txt"], "a.zip"),
    ):
        with pytest.raises(BasicPermissionError):
            operation()
    assert (outside / "secret.txt").read_text() == "secret"


@needs_symlinks
def test_a_link_to_a_folder_outside_is_refused(drive: LocalDrive, outside: Path) -> None:
    (drive.root / "out").symlink_to(outside, target_is_directory=True)
    with pytest.raises(BasicPermissionError):
        drive.read_text("out/secret.txt")
    with pytest.raises(BasicPermissionError):
        drive.write("out/new.txt", "x")
    with pytest.raises(BasicPermissionError):
        drive.list("out")
    drive.write("a.txt", "a")
    with pytest.raises(BasicPermissionError):
        drive.copy("a.txt", "out/")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


@needs_symlinks
def test_links_out_are_listed_but_never_followed(drive: LocalDrive, outside: Path) -> None:
    (drive.root / "out").symlink_to(outside, target_is_directory=True)
    drive.write("in/a.txt", "a")
    assert drive.list("/") == ["in/", "out"]


@needs_symlinks
def test_compressing_a_folder_refuses_a_link_out_inside_it(
    drive: LocalDrive, outside: Path
) -> None:
    drive.write("docs/a.txt", "a")
    (drive.root / "docs" / "b.txt").symlink_to(outside / "secret.txt")
    with pytest.raises(BasicPermissionError):
        drive.compress(["docs"], "docs.zip")
    assert drive.list("/") == ["docs/"]


@needs_symlinks
def test_a_link_inside_the_drive_is_followed(drive: LocalDrive) -> None:
    drive.write("data/real.txt", "real")
    (drive.root / "alias").symlink_to(drive.root / "data", target_is_directory=True)
    assert drive.read_text("alias/real.txt") == "real"


@needs_symlinks
def test_a_link_loop_is_refused(drive: LocalDrive) -> None:
    (drive.root / "loop").symlink_to(drive.root / "loop")
    with pytest.raises((BasicPermissionError, FileError)):
        drive.read_text("loop/x.txt")


@needs_symlinks
def test_a_drive_root_behind_a_link_works(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    drive = LocalDrive(tmp_path / "alias")
    drive.write("a.txt", "a")
    assert drive.read_text("/a.txt") == "a"
    assert (tmp_path / "real" / "a.txt").exists()
