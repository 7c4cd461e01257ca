"""HEAR … AS AUDIO through the Engine: a voice message (audio spoken by espeak-ng, stored in
the bot's drive) is transcribed by Whisper and the words become the answer."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

from engine.api import Engine, EngineConfig
from engine.events import BotResponse, TurnFinished, UserMessage
from tests.conftest import require_service
from tests.engine.media.cached_models import link_into
from tests.engine.sessions.sessionkit import write_bot


def test_a_voice_answer_is_transcribed(tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None:
        require_service("espeak-ng", "needed to speak the test audio")
    link_into("whisper-tiny.en", tmp_path / "models")
    root = write_bot(tmp_path, "voice", {"start.bas": (
        'TALK "Say something"\nHEAR words AS AUDIO\nTALK "You said: " + LCASE(words)\n')})
    uploads = root / "voice.gbdrive" / "uploads"
    uploads.mkdir(parents=True)
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(uploads / "note.wav"),
                    "The meeting starts at noon"], check=True, capture_output=True)
    config = EngineConfig.under(tmp_path, run_scheduler=False, watch_bots=False,
                                models_dir=tmp_path / "models")
    voice = {"name": "note.wav", "path": "uploads/note.wav", "mime": "audio/wav",
             "size": (uploads / "note.wav").stat().st_size}

    async def scenario() -> list[str]:
        async with Engine(config) as engine:
            said: list[str] = []
            async with engine.subscribe("s1") as events:
                await engine.open_session("voice", session_id="s1")
                await engine.sessions.send(UserMessage("s1", "", attachments=(voice,)))
                async for event in events:
                    if isinstance(event, BotResponse) and event.content:
                        said.append(event.content)
                    if isinstance(event, TurnFinished) and len(said) >= 2:
                        return said
        return said

    said = asyncio.run(asyncio.wait_for(scenario(), 300))
    assert said[0] == "Say something"
    assert "meeting" in said[1] and "noon" in said[1]
