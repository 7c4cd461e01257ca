"""``hearth chat`` in a real subprocess on the real SmolLM2 (issue 12): Ctrl-C stops the
answer being written and the chat goes on (the next question is answered, with the model's
name); Ctrl-C twice while idle leaves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from app.commands.chat import LEAVE_HINT, STOPPED
from app.paths import AppPaths
from tests.engine.llm.realmodels import SMOLLM2, model_path
from tests.engine.media.cached_models import link_into
from tests.engine.sessions.sessionkit import write_bot

REPO = Path(__file__).parents[2]


class ChatProcess:
    """``hearth chat BOT`` with pipes; stdout and stderr gathered by reader threads."""

    def __init__(self, home: Path, bot: str) -> None:
        env = {**os.environ, "HEARTH_HOME": str(home), "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "chat", bot], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1, cwd=REPO,
            env=env)
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, into in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, into), daemon=True).start()

    @staticmethod
    def _read(stream: object, into: list[str]) -> None:
        while chunk := stream.read(1):  # type: ignore[attr-defined]
            into.append(chunk)

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    def wait_for(self, test: object, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while not test():  # type: ignore[operator]
            assert self.process.poll() is None, (self.stdout, "".join(self.err))
            assert time.monotonic() < deadline, (self.stdout, "".join(self.err))
            time.sleep(0.05)

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def ctrl_c(self) -> None:
        self.process.send_signal(signal.SIGINT)


def test_ctrl_c_stops_the_answer_not_the_chat(hearth_home: Path) -> None:
    model_path(SMOLLM2)
    link_into(SMOLLM2, AppPaths.from_env().models_dir)
    write_bot(hearth_home, "helper", {"tools.bas": 'DESCRIPTION "nothing"\n'},
              "llm-max-tokens,60\n")
    chat = ChatProcess(hearth_home, "helper")
    try:
        chat.wait_for(lambda: "(session" in "".join(chat.err))
        chat.send("Write a very long story about a dragon who learns to cook.")
        chat.wait_for(lambda: len(chat.stdout.strip()) > 20)  # the answer is being written
        chat.ctrl_c()
        chat.wait_for(lambda: STOPPED in chat.stdout, 30)
        stopped_at = len(chat.stdout)
        time.sleep(1.5)
        assert chat.process.poll() is None  # the chat goes on
        assert len(chat.stdout) == stopped_at  # and nothing more of the story was written
        chat.send("Say hello.")
        chat.wait_for(lambda: f"({SMOLLM2})" in chat.stdout[stopped_at:], 180)
        chat.ctrl_c()
        chat.wait_for(lambda: LEAVE_HINT in chat.stdout[stopped_at:], 30)
        assert chat.process.poll() is None
        chat.ctrl_c()
        assert chat.process.wait(30) == 130
    finally:
        if chat.process.poll() is None:
            chat.process.kill()
            chat.process.wait()
