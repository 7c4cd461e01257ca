"""Speech-to-text speed: Hearth's WhisperTranscriber against raw faster-whisper.

Both transcribe the same espeak-ng recording with the same model folder, compute type, threads
and decoding options, in the same process, interleaved run by run so that machine noise hits
both alike. The figure of merit is the real-time factor (seconds of work per second of audio,
lower is better) and the wrapper's speed as a share of raw speed (target ≥ 95%), taken from
the fastest run of each path: on a shared machine other processes only ever add time, so the
minimum is the steadiest estimate of the work itself (medians are printed too).

    .venv/bin/python bench/speech.py [--model NAME]... [--repeat 5] [--threads 2]

Needs the Debian package espeak-ng. Each model is taken from (or pulled into)
``$HEARTH_MODELS_CACHE``, else the repository's ``.cache/models``. Writes
``bench/results/speech.json`` (through ``bench.common``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ["HF_HUB_OFFLINE"] = "1"

from bench.common import print_table, write_results  # noqa: E402
from engine.llm.models import ModelManager  # noqa: E402
from engine.media.speech import WhisperTranscriber  # noqa: E402
from tests.engine.media.wer import word_error_rate  # noqa: E402

TEXT = (
    "Good morning, and thank you for calling the help desk. Before we start, please have your "
    "customer number ready. If you are calling about an order that has not arrived, say order. "
    "If you need to reset your password, say password. Our opening hours are from nine in the "
    "morning to six in the evening, Monday to Friday. The quarterly report will be sent to the "
    "finance team before the end of the week, and the meeting room on the second floor is "
    "booked for tomorrow at ten. The weather today is sunny with a light breeze from the west, "
    "so the afternoon walk will go ahead as planned. Thank you for your patience."
)


def speak(text: str, folder: Path) -> tuple[Path, float]:
    if shutil.which("espeak-ng") is None:
        raise SystemExit("bench/speech.py needs espeak-ng (apt-get install espeak-ng)")
    path = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), text], check=True)
    with wave.open(str(path)) as audio:
        return path, audio.getnframes() / audio.getframerate()


def timed(work: Callable[[], str]) -> tuple[float, str]:
    started = time.perf_counter()
    text = work()
    return time.perf_counter() - started, text


def measure(model: str, audio: Path, seconds: float, args: argparse.Namespace) -> dict[str, Any]:
    """Time raw faster-whisper and both WhisperTranscriber paths on ``audio``, interleaved."""
    from faster_whisper import WhisperModel

    cache = Path(os.environ.get("HEARTH_MODELS_CACHE") or REPO / ".cache" / "models")
    model_dir = ModelManager(cache).ensure(model).parent
    raw = WhisperModel(str(model_dir), device="cpu", compute_type=args.compute_type,
                       cpu_threads=args.threads, num_workers=1, local_files_only=True)
    hearth = WhisperTranscriber(model_dir, args.compute_type, args.threads)
    hearth.load()
    loop = asyncio.new_event_loop()

    def run_raw() -> str:
        segments, _ = raw.transcribe(str(audio), language=None, beam_size=5)
        return " ".join(segment.text.strip() for segment in segments)

    paths: dict[str, Callable[[], str]] = {
        "faster-whisper (raw)": run_raw,
        "WhisperTranscriber.transcribe": lambda: hearth.transcribe(audio).text,
        "WhisperTranscriber.atranscribe":
            lambda: loop.run_until_complete(hearth.atranscribe(audio)).text,
    }
    times: dict[str, list[float]] = {name: [] for name in paths}
    texts: dict[str, str] = {}
    for work in paths.values():
        work()  # warm-up: first-call allocations, page cache
    for _ in range(args.repeat):
        for name, work in paths.items():
            elapsed, texts[name] = timed(work)
            times[name].append(elapsed)
    hearth.close()
    loop.close()
    raw_best = min(times["faster-whisper (raw)"])
    rows = [{"path": name, "best_s": round(min(samples), 3),
             "median_s": round(statistics.median(samples), 3),
             "rtf": round(min(samples) / seconds, 4),
             "speed_vs_raw": round(raw_best / min(samples), 3)} for name, samples in times.items()]
    return {"model": model, "rows": rows, "identical_transcripts": len(set(texts.values())) == 1,
            "wer": round(word_error_rate([(TEXT, texts["faster-whisper (raw)"])]), 3),
            "transcript": texts["faster-whisper (raw)"]}


def show(result: dict[str, Any]) -> None:
    print(f"\n{result['model']}: WER {result['wer']:.3f}, "
          f"identical transcripts: {result['identical_transcripts']}")
    print_table(["path", "best s", "median s", "RTF", "vs raw"],
                [[row["path"], f"{row['best_s']:.3f}", f"{row['median_s']:.3f}",
                  f"{row['rtf']:.4f}", f"{row['speed_vs_raw']:.1%}"] for row in result["rows"]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", dest="models", metavar="NAME",
                        help="a speech model of the catalog (repeatable; "
                             "default: whisper-tiny.en and whisper-base)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compute-type", default="int8")
    args = parser.parse_args()
    models = args.models or ["whisper-tiny.en", "whisper-base"]

    with tempfile.TemporaryDirectory() as folder:
        audio, seconds = speak(TEXT, Path(folder))
        print(f"{args.compute_type}, {args.threads} threads, audio {seconds:.1f} s, "
              f"{args.repeat} interleaved runs per path; RTF and ratio from the best run")
        results = [measure(model, audio, seconds, args) for model in models]
    for result in results:
        show(result)
    out = write_results("speech", {
        "compute_type": args.compute_type, "threads": args.threads,
        "audio_seconds": round(seconds, 2), "repeat": args.repeat, "models": results,
        "load_average": os.getloadavg()})
    print(f"\nwrote {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
