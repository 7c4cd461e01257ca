"""The folder walk: links out of the collection are refused, link cycles cannot loop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.kb.sources import LINK_OUTSIDE, leaves_package, package_collections, scan_folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    (folder / "deep").mkdir(parents=True)
    (folder / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash")
    (folder / "deep" / "more.md").write_text("# Secret\n\nmore secrets")
    return folder


def _keys(folder: Path) -> tuple[dict[str, str], list[str]]:
    items, unsupported = scan_folder(folder)
    return {item.key: item.problem for item in items}, unsupported


def test_file_and_folder_links_leaving_the_collection_are_refused(tmp_path: Path,
                                                                  outside: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.txt").write_text("the guide")
    os.symlink(outside / "secret.txt", folder / "passwd.txt")
    os.symlink(outside, folder / "escape")
    os.symlink("/etc/passwd", folder / "etc.txt")
    os.symlink(folder / "missing.txt", folder / "dangling.txt")

    keys, _ = _keys(folder)

    assert keys == {"guide.txt": "", "passwd.txt": LINK_OUTSIDE, "escape": LINK_OUTSIDE,
                    "etc.txt": LINK_OUTSIDE}
    refused = next(item for item in scan_folder(folder)[0] if item.key == "etc.txt")
    with pytest.raises(OSError, match="outside the collection"):
        refused.read()


def test_links_inside_the_collection_are_followed_once_and_cycles_end(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    (folder / "a" / "b").mkdir(parents=True)
    (folder / "a" / "b" / "note.txt").write_text("a note")
    os.symlink(folder, folder / "a" / "b" / "loop")  # a cycle back to the root
    os.symlink(folder / "a", folder / "a" / "b" / "up")  # and one to an ancestor
    os.symlink(folder / "a" / "b" / "note.txt", folder / "alias.txt")

    keys, _ = _keys(folder)

    assert keys == {"a/b/note.txt": "", "alias.txt": ""}


def test_a_link_swapped_after_the_scan_is_not_read(tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "real.txt").write_text("fine")
    os.symlink(folder / "real.txt", folder / "alias.txt")
    items, _ = scan_folder(folder)
    alias = next(item for item in items if item.key == "alias.txt")
    (folder / "real.txt").unlink()
    os.symlink(outside / "secret.txt", folder / "real.txt")

    with pytest.raises(OSError, match="outside the collection"):
        alias.read()


def test_package_sub_folders_linking_out_are_not_collections(tmp_path: Path,
                                                             outside: Path) -> None:
    gbkb = tmp_path / "bot.gbkb"
    (gbkb / "manuals").mkdir(parents=True)
    (gbkb / "manuals" / "m.txt").write_text("manual")
    os.symlink(outside, gbkb / "etc")
    os.symlink(gbkb / "manuals", gbkb / "alias")

    assert [p.name for p in package_collections(gbkb)] == ["bot.gbkb", "alias", "manuals"]
    keys, _ = _keys(gbkb)
    assert keys == {"etc": LINK_OUTSIDE}


def test_a_gbkb_that_is_a_link_out_of_its_package_has_no_collections(tmp_path: Path,
                                                                     outside: Path) -> None:
    package = tmp_path / "bot.gbai"
    package.mkdir()
    os.symlink(outside, package / "bot.gbkb")
    (package / "real.gbkb").mkdir()
    os.symlink(package / "real.gbkb", package / "alias.gbkb")

    assert package_collections(package / "bot.gbkb") == []
    assert leaves_package(package / "bot.gbkb")
    assert not leaves_package(package / "real.gbkb") and not leaves_package(package / "alias.gbkb")
