"""``hearth transcribe FILE [--model NAME]``: speech to text with a local Whisper model.

The model is pulled first when it is not installed yet (with a progress bar and a note saying
so); afterwards everything runs offline.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from app.commands.models import ProgressBar, manager
from engine.errors import EngineError
from engine.media.speech import WhisperTranscriber

DEFAULT_MODEL = "whisper-tiny.en"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("transcribe", help="turn speech in an audio file into text")
    parser.add_argument("file", type=Path, help="an audio file (WAV, MP3, OGG, M4A...)")
    parser.add_argument("--model", default=DEFAULT_MODEL,
                        help=f"a speech model of the catalog (default: {DEFAULT_MODEL})")
    parser.add_argument("--language", help="the spoken language, e.g. en (default: detect)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default: 2)")
    parser.add_argument("--json", action="store_true", help="text, language and segments")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"hearth: no such audio file: {args.file}", file=sys.stderr)
        return 1
    models = manager()
    try:
        if models.catalog.get(args.model).role != "speech":
            print(f"hearth: {args.model} is not a speech model", file=sys.stderr)
            return 1
        if not models.status(args.model).installed:
            print(f"model {args.model} is not installed yet: pulling it", file=sys.stderr)
        model_file = models.ensure(args.model, ProgressBar())
        with WhisperTranscriber(model_file.parent, threads=args.threads,
                                language=args.language) as transcriber:
            transcript = transcriber.transcribe(args.file)
    except EngineError as error:
        print(f"hearth: {error.message}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(transcript), indent=2) if args.json else transcript.text)
    return 0
