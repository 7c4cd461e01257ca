"""``hearth check PATH...``: compile scripts and report every problem with line and caret;
the ``config.csv`` of the packages they belong to is checked too (unknown keys, bad values)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.commands.packagecheck import check_config_file, check_script, config_files


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
    reports = [check_script(path, args.strict) for path in files]
    reports += [check_config_file(path) for path in config_files(args.paths, files)]
    errors = sum(r.errors for r in reports) + len(missing)
    report = [r.to_json() for r in reports]
    report += [{"file": name, "error": "no such file or folder"} for name in missing]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for entry in reports:
            for line in entry.rendered:
                print(line)
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
