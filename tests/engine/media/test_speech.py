"""Speech to text on the real Whisper tiny.en model, with audio spoken by espeak-ng."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.media.speech import SpeechError, Transcript, WhisperTranscriber
from tests.conftest import require_service
from tests.engine.media.cached_models import cached_model
from tests.engine.media.wer import word_error_rate

SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "Please book a meeting room for tomorrow morning at nine.",
    "My order has not arrived yet and I would like a refund.",
    "The weather today is sunny with a light breeze from the west.",
    "Send the quarterly report to the finance team before Friday.",
    "Hello, I need help resetting my password.",
    "Can you tell me the opening hours of the library?",
)


def speak(text: str, path: Path) -> Path:
    """``text`` read by espeak-ng (American English) into the WAV file ``path``."""
    if shutil.which("espeak-ng") is None:
        require_service("espeak-ng", "install the Debian package espeak-ng")
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), text], check=True,
                   capture_output=True)
    return path


@pytest.fixture(scope="session")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("spoken")
    return [speak(text, folder / f"sentence-{i}.wav") for i, text in enumerate(SENTENCES)]


@pytest.fixture(scope="session")
def tiny_dir() -> Path:
    return cached_model("whisper-tiny.en").path("whisper-tiny.en").parent


@pytest.fixture(scope="session")
def transcriber(tiny_dir: Path) -> Iterator[WhisperTranscriber]:
    with WhisperTranscriber(tiny_dir, threads=2) as transcriber:
        yield transcriber


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


def test_word_error_rate_on_spoken_sentences(transcriber: WhisperTranscriber,
                                             spoken: list[Path]) -> None:
    heard = [transcriber.transcribe(path).text for path in spoken]
    rate = word_error_rate(zip(SENTENCES, heard))
    pairs = "\n".join(f"{said!r} → {got!r}" for said, got in zip(SENTENCES, heard))
    assert rate <= 0.2, f"WER {rate:.2f}:\n{pairs}"


def test_transcript_fields(transcriber: WhisperTranscriber, spoken: list[Path]) -> None:
    transcript = transcriber.transcribe(spoken[5])
    assert isinstance(transcript, Transcript)
    assert transcript.language == "en"
    assert transcript.duration == pytest.approx(wav_seconds(spoken[5]), abs=0.1)
    assert transcript.segments and transcript.text.lower().startswith("hello")
    assert transcript.text == " ".join(segment.text for segment in transcript.segments)
    for segment in transcript.segments:
        assert 0 <= segment.start < segment.end <= transcript.duration + 0.5


def test_bytes_and_paths_give_the_same_transcript(transcriber: WhisperTranscriber,
                                                  spoken: list[Path]) -> None:
    assert transcriber.transcribe(spoken[6].read_bytes()) == transcriber.transcribe(spoken[6])


def test_atranscribe_runs_off_the_event_loop(tiny_dir: Path, spoken: list[Path]) -> None:
    async def scenario() -> tuple[list[Transcript], float, float, set[str]]:
        threads: set[str] = set()
        gaps: list[float] = []
        transcriber = WhisperTranscriber(tiny_dir)
        original = transcriber.transcribe

        def spy(audio: Path | str | bytes) -> Transcript:
            threads.add(threading.current_thread().name)
            return original(audio)

        transcriber.transcribe = spy  # type: ignore[method-assign]
        async with transcriber:
            began = time.perf_counter()
            work = asyncio.gather(transcriber.atranscribe(spoken[0]),
                                  transcriber.atranscribe(spoken[5].read_bytes()))
            while not work.done():
                started = time.perf_counter()
                await asyncio.sleep(0.01)
                gaps.append(time.perf_counter() - started)
            results = await work
            elapsed = time.perf_counter() - began
        return list(results), max(gaps), elapsed, threads

    results, worst_gap, elapsed, threads = asyncio.run(scenario())
    # Both came back, each for its own audio: (espeak-ng's voice differs between releases, so
    # a single word may be misheard; the aggregate bound is test_word_error_rate_…).
    assert word_error_rate([(SENTENCES[0], results[0].text)]) <= 0.5, results[0].text
    assert word_error_rate([(SENTENCES[5], results[1].text)]) <= 0.5, results[1].text
    # The loop kept ticking while Whisper worked: a transcription run on the loop would stall
    # it for the whole time; here no tick waited half of it (relative bound: absolute ones,
    # and tighter fractions, fail on a loaded 2-core machine).
    assert worst_gap < elapsed / 2, (worst_gap, elapsed)
    assert len(threads) == 1 and threads.pop().startswith("whisper")


def test_undecodable_audio_is_a_speech_error(transcriber: WhisperTranscriber,
                                             tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="cannot decode the audio"):
        transcriber.transcribe(b"this is not audio" * 100)
    with pytest.raises(SpeechError, match="no such audio file"):
        transcriber.transcribe(tmp_path / "missing.wav")


def test_a_folder_without_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="not a Whisper model folder"):
        WhisperTranscriber(tmp_path)
