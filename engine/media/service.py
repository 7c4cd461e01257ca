"""Speech to text for BASIC runs (``HEAR … AS AUDIO``): Whisper on a bot's drive files.

One transcriber per engine, loaded on first use from the model manager's folder; the VM's
worker thread calls it directly (transcription is CPU work off the event loop already).
"""

from __future__ import annotations

import threading
from pathlib import Path

from engine.basic.errors import FileError, ServiceError
from engine.llm.models import ModelError, ModelManager
from engine.media.speech import SpeechError, WhisperTranscriber
from engine.office.drive import LocalDrive

SPEECH_MODEL = "whisper-tiny.en"


class EngineSpeech:
    def __init__(self, models_dir: Path | None, model: str = SPEECH_MODEL) -> None:
        self.models_dir = models_dir
        self.model = model
        self._transcriber: WhisperTranscriber | None = None
        self._lock = threading.Lock()

    def transcriber(self) -> WhisperTranscriber:
        with self._lock:
            if self._transcriber is None:
                if self.models_dir is None:
                    raise ServiceError("speech to text needs a speech model (no model folder)")
                try:
                    folder = ModelManager(self.models_dir).path(self.model).parent
                except ModelError as error:
                    raise ServiceError(error.message) from None
                self._transcriber = WhisperTranscriber(folder)
            return self._transcriber

    def for_drive(self, drive: LocalDrive) -> DriveSpeech:
        return DriveSpeech(self, drive)

    def close(self) -> None:
        if self._transcriber is not None:
            self._transcriber.close()


class DriveSpeech:
    """The host's ``SpeechService`` of one bot: paths are drive paths."""

    def __init__(self, engine: EngineSpeech, drive: LocalDrive) -> None:
        self.engine = engine
        self.drive = drive

    def transcribe(self, path: str) -> str:
        data = self.drive.read_bytes(path)  # jailed: FileError / PermissionError as usual
        try:
            return self.engine.transcriber().transcribe(data).text.strip()
        except SpeechError as error:
            raise FileError(f"cannot transcribe {path}: {error.message}") from None
