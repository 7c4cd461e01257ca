"""The ``hearth`` command: check, run, tool-schema, new, bots list and chat, as a person
would use them (real subprocesses for the interactive ones)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

REPO = Path(__file__).resolve().parents[2]
BROKEN = 'TALK "ok"\nIF x > 1 THEN\n  TALK "big"\nTALK "oops\n'


def hearth(*args: str, stdin: str = "", home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], input=stdin, text=True,
                          capture_output=True, cwd=REPO, env=env, timeout=120)


def test_check_reports_line_column_and_caret(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "broken.bas"
    script.write_text(BROKEN)
    (tmp_path / "fine.bas").write_text('TALK "hello"\n')
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{script}:4:6: SyntaxError: unterminated string literal" in out
    assert "    TALK \"oops\n         ^" in out
    assert "2 file(s) checked" in out


def test_check_json_and_clean_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "fine.bas").write_text('TALK "hello"\nFROBNICATE 1\n')
    assert main(["check", "--json", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report[0]["diagnostics"][0]["severity"] == "warning"
    assert report[0]["diagnostics"][0]["line"] == 2


def test_check_never_crashes_on_binary_or_missing_files(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bin.bas").write_bytes(bytes(range(256)) * 4)
    assert main(["check", str(tmp_path), str(tmp_path / "missing.bas")]) == 1
    captured = capsys.readouterr()
    assert "no such file or folder" in captured.err


def test_tool_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tool = tmp_path / "greet.bas"
    tool.write_text('PARAM name AS STRING DESCRIPTION "Who"\nDESCRIPTION "Greet"\n')
    assert main(["tool-schema", str(tool)]) == 0
    descriptor = json.loads(capsys.readouterr().out)
    assert descriptor["function"]["name"] == "greet"
    assert main(["tool-schema", "--mcp", str(tool)]) == 0
    assert json.loads(capsys.readouterr().out)["inputSchema"]["required"] == ["name"]
    plain = tmp_path / "plain.bas"
    plain.write_text('TALK "x"\n')
    assert main(["tool-schema", str(plain)]) == 1


def test_tool_schema_of_a_file_with_procedure_tools(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """docs/basic-compatibility.md P2: several tools give an array; --tool picks one."""
    tool = tmp_path / "orders.bas"
    tool.write_text('FUNCTION check_order\n  DESCRIPTION "Look up"\n  PARAM id AS STRING\n'
                    '  RETURN id\nEND FUNCTION\n'
                    'SUB cancel_order\n  DESCRIPTION "Cancel"\nEND SUB\n')
    assert main(["tool-schema", str(tool)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [t["function"]["name"] for t in shown] == ["check_order", "cancel_order"]
    assert main(["tool-schema", "--mcp", "--tool", "CHECK_ORDER", str(tool)]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "name": "check_order", "description": "Look up", "inputSchema": {
            "type": "object", "properties": {"id": {"type": "string", "description": ""}},
            "required": ["id"]}}
    assert main(["tool-schema", "--tool", "nope", str(tool)]) == 1
    assert "it declares: check_order, cancel_order" in capsys.readouterr().err


def test_run_with_scripted_input(tmp_path: Path) -> None:
    script = tmp_path / "ask.bas"
    script.write_text('HEAR age AS INTEGER\nTALK "in ten years: " + (age + 10)\n')
    answers = tmp_path / "answers.txt"
    answers.write_text("soon\n32\n")
    result = hearth("run", str(script), "--input", str(answers), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Please enter a valid whole number.",
                                          "in ten years: 42"]


def test_new_bot_list_and_chat(tmp_path: Path) -> None:
    home = tmp_path / "home"
    created = hearth("new", "notes", "--template", "starter", home=home)
    assert created.returncode == 0, created.stderr
    listing = hearth("bots", "list", home=home)
    assert "notes" in listing.stdout and "ok" in listing.stdout
    chat = hearth("chat", "notes", stdin="1\nbuy bread\n2\n/quit\n", home=home)
    assert chat.returncode == 0, chat.stderr
    assert "What should I write down?" in chat.stdout
    assert "buy bread" in chat.stdout.split("What should I write down?")[1]
    duplicate = hearth("new", "notes", home=home)
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
