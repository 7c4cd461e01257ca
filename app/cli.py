"""The ``hearth`` command: the composition root's entry point.

With no sub-command it starts Hearth the way a person expects: the desktop window when a
display is available, the terminal otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from app.commands import (
    bots,
    chat,
    check,
    evaluation,
    import_bot,
    kb,
    models,
    run,
    schema,
    serve,
    start,
    transcribe,
    users,
)
from engine.errors import EngineError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearth",
        description="Hearth: run General Bots packages on your own machine.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chat.add_parser(sub)
    bots.add_parser(sub)
    check.add_parser(sub)
    evaluation.add_parser(sub)
    import_bot.add_parser(sub)
    kb.add_parser(sub)
    models.add_parser(sub)
    run.add_parser(sub)
    schema.add_parser(sub)
    serve.add_parser(sub)
    transcribe.add_parser(sub)
    users.add_parser(sub)
    start.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from app.commands.start import start

        return start()
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except EngineError as error:  # a clear message, not a traceback
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    except MemoryError:
        print("error: out of memory", file=sys.stderr)
        return 1
    except Exception as error:  # a bug: still one line for the person, the trace on request
        if os.environ.get("HEARTH_DEBUG"):
            raise
        print(f"error: unexpected {type(error).__name__}: {str(error)[:300]} "
              "(set HEARTH_DEBUG=1 to see where)", file=sys.stderr)
        return 70  # EX_SOFTWARE


if __name__ == "__main__":
    raise SystemExit(main())
