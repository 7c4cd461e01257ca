"""``hearth check PATH...``: compile scripts and report every problem with line and caret."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.basic.compiler import CompileOptions, compile_source


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("check", help="check BASIC scripts (files or folders)")
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--strict", action="store_true", help="strict mode for every file")
    parser.set_defaults(handler=run)


def script_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.bas")))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(str(path))
    return files, missing


def run(args: argparse.Namespace) -> int:
    files, missing = script_files(args.paths)
    options = CompileOptions(strict=args.strict)
    report: list[dict[str, object]] = []
    errors = 0
    for path in files:
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            report.append({"file": str(path), "error": f"cannot read: {error}"})
            errors += 1
            continue
        program = compile_source(source, path.stem, options)
        errors += len(program.errors)
        report.append({"file": str(path),
                       "diagnostics": [d.to_json() for d in program.diagnostics]})
        if not args.json:
            for diagnostic in program.diagnostics:
                print(diagnostic.render(source, str(path)))
    for name in missing:
        report.append({"file": name, "error": "no such file or folder"})
        errors += 1
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _summary(report, files, missing, errors)
    return 1 if errors else 0


def _summary(report: list[dict[str, object]], files: list[Path], missing: list[str],
             errors: int) -> None:
    for entry in report:
        if "error" in entry:
            print(f"{entry['file']}: {entry['error']}", file=sys.stderr)
    warnings = 0
    for entry in report:
        diagnostics = entry.get("diagnostics", [])
        assert isinstance(diagnostics, list)
        warnings += sum(1 for d in diagnostics if d["severity"] == "warning")
    print(f"{len(files)} file(s) checked: {errors} error(s), {warnings} warning(s)")
