"""``hearth import`` and the package side of ``hearth check`` (docs/basic-compatibility.md
K3, K4): real folders, real zip archives, the real CLI entry point."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from app.cli import main


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _package(root: Path, start: str = 'TALK "Hello " + api_host\n') -> Path:
    (root / "shop.gbdialog").mkdir(parents=True)
    (root / "shop.gbdialog" / "start.bas").write_text(start, encoding="utf-8")
    (root / "shop.gbot").mkdir()
    (root / "shop.gbot" / "config.csv").write_text(
        "name,value\nbot-name,Shop\nparam-api-host,example.org\nllm-timout,30\n"
        "hear-max-attempts,many\n", encoding="utf-8")
    return root


def test_check_reads_the_package_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    root = _package(tmp_path / "shop.gbai")
    assert main(["check", "--strict", str(root)]) == 0  # api_host comes from param-api-host
    out = capsys.readouterr().out
    config = root / "shop.gbot" / "config.csv"
    assert f"{config}:4: warning: unknown key 'llm-timout' ignored (did you mean " \
           "'llm-timeout'?)" in out
    assert f"{config}:5: warning: 'hear-max-attempts' needs a whole number" in out
    assert "param-api-host" not in out and "unknown variable" not in out


def test_import_a_folder_reports_and_installs(home: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = _package(tmp_path / "shop.gbai", 'TALK "Hi"\nIF x THEN\n')
    assert main(["import", str(root)]) == 0
    out = capsys.readouterr().out
    assert "shop.gbdialog/start.bas:2:1: SyntaxError: 'IF' without 'END IF'" in out
    assert "config.csv:4: warning: unknown key 'llm-timout'" in out
    assert "Installed 'shop'" in out and "1 script(s), 1 error(s), 2 warning(s)" in out
    assert "1 script(s) with errors do not run until they are fixed" in out
    assert (home / "bots" / "shop.gbai" / "shop.gbdialog" / "start.bas").is_file()
    assert main(["import", str(root)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["import", str(root), "--name", "shop-2"]) == 0
    assert (home / "bots" / "shop-2.gbai").is_dir()


def test_import_says_which_scripts_do_not_run(home: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A script the compiler rejects does not run; one whose only error is an unknown
    function (a warning to the compiler) runs until the call: the summary says which."""
    root = _package(tmp_path / "shop.gbai", 'TALK "Hi"\nx = FOOBAR(1)\n')
    assert main(["import", str(root)]) == 0
    out = capsys.readouterr().out
    assert "1 script(s), 1 error(s)" in out
    assert "do not run until they are fixed" not in out
    assert "1 script(s) call unknown functions: they run, and stop with a NameError" in out
    (root / "shop.gbdialog" / "broken.bas").write_text("IF x THEN\n", encoding="utf-8")
    assert main(["import", str(root), "--name", "shop-2"]) == 0
    out = capsys.readouterr().out
    assert "1 script(s) with errors do not run until they are fixed" in out
    assert "1 script(s) call unknown functions" in out


def test_import_a_zip_of_a_nested_package(home: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = _package(tmp_path / "src" / "shop.gbai")
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(root.rglob("*")):
            zf.write(path, Path("release") / path.relative_to(root.parent))
    assert main(["import", str(archive)]) == 0
    assert (home / "bots" / "shop.gbai" / "shop.gbot" / "config.csv").is_file()
    assert not [p for p in home.iterdir() if p.name.startswith(".import-")]


@pytest.mark.parametrize("member", ["../evil.bas", "/etc/evil.bas", "a/../../evil.bas",
                                    "C:/evil.bas"])
def test_import_refuses_zip_slip(home: Path, tmp_path: Path, member: str,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("bad.gbai/bad.gbdialog/start.bas", 'TALK "x"\n')
        zf.writestr(member, 'TALK "evil"\n')
    assert main(["import", str(archive)]) == 1
    assert "outside its folder" in capsys.readouterr().err
    assert not (tmp_path / "evil.bas").exists()
    assert not (home / "bots" / "bad.gbai").exists()


def test_import_refuses_symlinks(home: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = _package(tmp_path / "shop.gbai")
    os.symlink("/etc/passwd", root / "shop.gbdialog" / "passwd.bas")
    assert main(["import", str(root)]) == 1
    assert "symbolic links are refused" in capsys.readouterr().err
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("link.gbai/link.gbdialog/start.bas")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    assert main(["import", str(archive)]) == 1
    assert "symbolic links are refused" in capsys.readouterr().err
    assert not (home / "bots").exists() or not list((home / "bots").iterdir())


def test_import_validates_the_name(home: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = _package(tmp_path / "shop.gbai")
    assert main(["import", str(root), "--name", "../escape"]) == 1
    assert "invalid bot name" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "missing.zip")]) == 1
    assert "not a folder or a zip archive" in capsys.readouterr().err


def test_run_a_script_outside_the_dialog_folder(tmp_path: Path) -> None:
    from tests.app.test_cli import hearth

    root = _package(tmp_path / "shop.gbai")
    loose = root / "extras" / "hello.bas"
    loose.parent.mkdir()
    loose.write_text('TALK "from extras " + api_host\n', encoding="utf-8")
    ran = hearth("run", str(loose), home=tmp_path / "home")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == ["from extras example.org"]
    broken = root / "extras" / "broken.bas"
    broken.write_text("IF x THEN\n", encoding="utf-8")
    failed = hearth("run", str(broken), home=tmp_path / "home")
    assert failed.returncode == 1
    assert "broken.bas:1:1: SyntaxError: 'IF' without 'END IF'" in failed.stderr
