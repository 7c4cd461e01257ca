"""``hearth check`` and the diagnostics of docs/basic-compatibility.md (D3, D4): an unknown
function is an error of the check, a SUB/FUNCTION of another script of the same package is
a warning, a misspelt keyword names the nearest one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main


def package(tmp_path: Path) -> Path:
    dialog = tmp_path / "shop.gbai" / "shop.gbdialog"
    dialog.mkdir(parents=True)
    (dialog / "start.bas").write_text('x = FOOBAR(1)\ny = total_of(2)\nTOLK "hi"\n')
    (dialog / "lib.bas").write_text("FUNCTION total_of(n)\n  RETURN n * 2\nEND FUNCTION\n")
    return tmp_path / "shop.gbai"


def test_check_reports_an_unknown_function_as_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = package(tmp_path)
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr().out
    start = root / "shop.gbdialog" / "start.bas"
    assert f"{start}:1:5: NameError: unknown function 'FOOBAR'" in out
    assert f"{start}:2:5: Warning: 'total_of' is a SUB/FUNCTION of another script" in out
    assert f"{start}:3:1: Warning: unknown statement 'TOLK'; did you mean TALK?" in out
    assert "2 file(s) checked: 1 error(s), 2 warning(s)" in out


def test_check_json_marks_the_unknown_function_as_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = package(tmp_path)
    assert main(["check", "--json", str(root / "shop.gbdialog" / "start.bas")]) == 1
    report = json.loads(capsys.readouterr().out)
    first = report[0]["diagnostics"][0]
    assert (first["severity"], first["kind"], first["line"]) == ("error", "NameError", 1)


def test_a_script_without_unknown_functions_still_passes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "fine.bas").write_text('TALK "a".toUpperCase()\nx = MAX 1, 2\n')
    assert main(["check", str(tmp_path)]) == 0
