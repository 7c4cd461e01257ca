"""``hearth tool-schema FILE.bas [--tool NAME] [--mcp]``: the tool descriptor(s) a script
compiles to (§11.3; several for a file with procedure tools)."""

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
    parser.add_argument("--tool", help="one tool of a file that declares several (its name)")
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
    tools = program.tools()
    if not tools:
        print(f"{path}: not a tool (no PARAM or DESCRIPTION line)", file=sys.stderr)
        return 1
    if args.tool is not None:
        tools = [t for t in tools if t.name.lower() == args.tool.lower().removesuffix(".bas")]
        if not tools:
            names = ", ".join(t.name for t in program.tools())
            print(f"{path}: no tool named '{args.tool}' (it declares: {names})", file=sys.stderr)
            return 1
    # one tool: its descriptor; a file declaring several (docs/basic-compatibility.md P2):
    # the array of their descriptors, the file's own first
    shown = [t.mcp_tool() if args.mcp else t.openai_tool() for t in tools]
    print(json.dumps(shown[0] if len(shown) == 1 else shown, indent=2))
    return 0
