"""Speech to text with faster-whisper (CTranslate2 Whisper models), entirely offline.

The model is always given as a local folder (``model.bin``, ``config.json``, tokenizer and
vocabulary), as :class:`engine.llm.models.ModelManager` installs it; the hub is never asked
(``HF_HUB_OFFLINE=1``, ``local_files_only``). Transcription blocks for about a tenth of the
audio's duration on two cores: async callers use :meth:`WhisperTranscriber.atranscribe`, which
runs it on the transcriber's own single worker thread, so the event loop never waits and
requests are served one at a time in order.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from engine.errors import EngineError

Audio = Path | str | bytes
"""A file path, or the bytes of an audio file in any format FFmpeg decodes (WAV, MP3, OGG...)."""


class SpeechError(EngineError):
    """The model cannot be loaded or the audio cannot be decoded."""


@dataclass(frozen=True, slots=True)
class TranscriptSegment:
    """A stretch of speech, with times in seconds from the start of the audio."""

    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class Transcript:
    """What was said: the whole ``text``, its ``language`` and ``duration`` (s), and segments."""

    text: str
    language: str
    duration: float
    segments: tuple[TranscriptSegment, ...]


class WhisperTranscriber:
    """A Whisper model in a local folder, loaded on first use.

    ``compute_type`` is CTranslate2's (``int8`` is the fastest on CPUs); ``threads`` is the
    number of CPU threads one transcription uses. ``language`` fixes the language (None lets a
    multilingual model detect it); ``beam_size`` is faster-whisper's.
    """

    def __init__(self, model_dir: Path, compute_type: str = "int8", threads: int = 2, *,
                 language: str | None = None, beam_size: int = 5) -> None:
        if not (model_dir / "model.bin").is_file() or not (model_dir / "config.json").is_file():
            raise SpeechError(f"{model_dir} is not a Whisper model folder "
                              "(model.bin and config.json are needed)")
        self.model_dir = model_dir
        self.compute_type = compute_type
        self.threads = threads
        self.language = language
        self.beam_size = beam_size
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def load(self) -> None:
        """Load the model now rather than on the first transcription (idempotent)."""
        with self._load_lock:
            if self._model is None:
                self._model = self._create_model()

    def transcribe(self, audio: Audio) -> Transcript:
        """Transcribe ``audio``; blocks (see :meth:`atranscribe`)."""
        self.load()
        source = io.BytesIO(audio) if isinstance(audio, bytes) else str(audio)
        if isinstance(source, str) and not os.path.isfile(source):
            raise SpeechError(f"no such audio file: {source}")
        av_error = importlib.import_module("av.error").FFmpegError
        try:
            segments, info = self._model.transcribe(source, language=self.language,
                                                    beam_size=self.beam_size)
            parts = tuple(TranscriptSegment(s.start, s.end, s.text.strip()) for s in segments)
        except (av_error, OSError, ValueError) as error:
            raise SpeechError(f"cannot decode the audio: {error}") from error
        except RuntimeError as error:  # CTranslate2
            raise SpeechError(f"transcription failed: {error}") from error
        text = " ".join(part.text for part in parts if part.text)
        return Transcript(text, str(info.language), float(info.duration), parts)

    async def atranscribe(self, audio: Audio) -> Transcript:
        """:meth:`transcribe` on the transcriber's single worker thread.

        Cancelling the awaiting task does not stop a transcription already running (CTranslate2
        cannot be interrupted); its result is dropped and the next request waits for it.
        """
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whisper")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.transcribe, audio)

    def close(self) -> None:
        """Stop the worker thread (after the running transcription) and free the model."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self._model = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.load)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await asyncio.to_thread(self.close)

    def _create_model(self) -> Any:
        os.environ["HF_HUB_OFFLINE"] = "1"  # before faster-whisper imports huggingface_hub
        try:
            faster_whisper = importlib.import_module("faster_whisper")
        except ImportError as error:
            raise SpeechError("speech to text needs the faster-whisper package "
                              "(pip install faster-whisper)") from error
        try:
            return faster_whisper.WhisperModel(
                str(self.model_dir), device="cpu", compute_type=self.compute_type,
                cpu_threads=self.threads, num_workers=1, local_files_only=True)
        except (RuntimeError, ValueError, OSError) as error:
            raise SpeechError(f"cannot load the Whisper model in {self.model_dir}: "
                              f"{error}") from error
