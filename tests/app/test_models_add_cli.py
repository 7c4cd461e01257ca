"""``hearth models add FILE.gguf`` and the memory column of ``hearth models list`` (issue 12):
a user's own GGUF (here SmolLM2's file, copied out of the catalog) is checked with llama.cpp's
loader, copied in with its sha256 recorded, listed, answers a chat turn once chosen, and is
removed like any other model; a file llama.cpp cannot load is refused."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.paths import AppPaths
from engine.api import Engine, EngineConfig
from engine.events import BotResponse, TurnFinished
from engine.llm.fit import MEMORY_FACTOR, OVERHEAD, memory_fit
from engine.llm.models import USER_CATALOG, ModelManager
from tests.engine.llm.realmodels import SMOLLM2, model_path
from tests.engine.sessions.sessionkit import write_bot


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    code, out, _ = run(capsys, "models", "list", "--json")
    assert code == 0
    return {entry["name"]: entry for entry in json.loads(out)}


def test_memory_fit_is_size_times_the_factor_plus_overhead() -> None:
    size = 100 << 20
    needed = int(size * MEMORY_FACTOR) + OVERHEAD
    assert memory_fit(size, needed).fits and not memory_fit(size, needed - 1).fits
    assert memory_fit(size).available > 0


def test_the_list_says_which_models_fit_this_machine(capsys: pytest.CaptureFixture[str],
                                                     hearth_home: Path) -> None:
    code, out, _ = run(capsys, "models", "list")
    assert code == 0 and "FITS MEMORY" in out.splitlines()[0]
    assert "of memory available now" in out.splitlines()[-1]
    entries = listed(capsys)
    small = entries[SMOLLM2]
    assert small["fits_memory"] is True  # 140 MB fits any machine that runs the tests
    assert small["memory_needed"] == memory_fit(int(str(small["size"]))).needed


def test_add_a_gguf_then_chat_with_it_then_remove_it(capsys: pytest.CaptureFixture[str],
                                                    hearth_home: Path, tmp_path: Path) -> None:
    own = tmp_path / "My Model Q8.gguf"
    shutil.copyfile(model_path(SMOLLM2), own)
    sha = hashlib.sha256(own.read_bytes()).hexdigest()
    code, out, err = run(capsys, "models", "add", str(own))
    assert code == 0, err
    assert f"added my-model-q8 ({own.stat().st_size / 1e6:.1f} MB, sha256 {sha})" in out
    entry = listed(capsys)["my-model-q8"]
    assert (entry["state"], entry["sha256"], entry["role"]) == ("installed", sha, "chat")
    models_dir = AppPaths.from_env().models_dir
    record = json.loads((models_dir / USER_CATALOG).read_text(encoding="utf-8"))
    assert record["models"][0]["source"] == {"imported_from": str(own)}
    assert ModelManager(models_dir).verify("my-model-q8").sha256 == sha
    assert run(capsys, "models", "add", str(own))[2].count("already exists") == 1

    answer = _one_turn(hearth_home, models_dir, "my-model-q8")
    assert answer.model == "my-model-q8" and answer.content

    assert run(capsys, "models", "remove", "my-model-q8")[0] == 0
    assert "my-model-q8" not in listed(capsys)


def test_files_llama_cpp_cannot_load_are_refused(capsys: pytest.CaptureFixture[str],
                                                 hearth_home: Path, tmp_path: Path) -> None:
    model_path(SMOLLM2)  # llama.cpp present (else a missing service)
    text = tmp_path / "notes.gguf"
    text.write_text("not a model", encoding="utf-8")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 64)
    assert "is not a GGUF file" in run(capsys, "models", "add", str(text))[2]
    code, _, err = run(capsys, "models", "add", str(broken))
    assert code == 1 and "llama.cpp cannot load broken.gguf" in err
    assert not (AppPaths.from_env().models_dir / "broken").exists()
    assert "no file" in run(capsys, "models", "add", str(tmp_path / "missing.gguf"))[2]


def _one_turn(home: Path, models_dir: Path, model: str) -> BotResponse:
    write_bot(home, "helper", {"tools.bas": 'DESCRIPTION "nothing"\n'},
              "llm-temperature,0\nllm-max-tokens,12\n")
    engine = Engine(EngineConfig(home, home / "bots", home / "work", home / "hearth.db",
                                 run_scheduler=False, watch_bots=False, models_dir=models_dir,
                                 chat_model=model))

    async def main() -> BotResponse:
        async with engine, engine.subscribe("s1") as events:
            await engine.open_session("helper", session_id="s1")
            async for event in events:
                if isinstance(event, TurnFinished):
                    break
            sending = asyncio.ensure_future(engine.send("s1", "Say hello."))
            final = BotResponse("s1", "")
            async for event in events:
                if isinstance(event, BotResponse) and event.is_complete:
                    final = event
                elif isinstance(event, TurnFinished):
                    break
            await sending
            return final

    return asyncio.run(asyncio.wait_for(main(), 300))
