"""``hearth tool-schema FILE.bas``: the tool descriptor a script compiles to (§11.3)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.basic.compiler import compile_source


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("tool-schema", help="print the tool descriptor of a script")
    parser.add_argument("file", type=Path)
    parser.add_argument("--mcp", action="store_true", help="the MCP descriptor instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"{path}: cannot read: {error}", file=sys.stderr)
        return 1
    program = compile_source(source, path.stem)
    if not program.ok:
        for diagnostic in program.errors:
            print(diagnostic.render(source, str(path)), file=sys.stderr)
        return 1
    if not program.is_tool:
        print(f"{path}: not a tool (no PARAM or DESCRIPTION line)", file=sys.stderr)
        return 1
    print(json.dumps(program.mcp_tool() if args.mcp else program.openai_tool(), indent=2))
    return 0
