"""The ``hearth`` command never shows a traceback (issue 10, defect 9): a file of random bytes,
a ``config.csv`` that is not UTF-8 or holds ``1e309``, a run that runs out of memory and a
script nested 3,000 deep each end with a clear message and a sensible exit code. The real CLI
runs in a subprocess, as a person would start it.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEEP_IFS = "x = 1\n" + "IF x > 0 THEN\n" * 3000 + 'TALK "deep"\n' + "END IF\n" * 3000
LOOP = 'n = 0\nFOR i = 1 TO 1000\n  n = n + 1\nNEXT\nTALK "counted " + n\n'


def hearth(*args: str, home: Path, address_space_mb: int | None = None
           ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home), "PYTHONPATH": str(REPO)}
    env.pop("HEARTH_DEBUG", None)

    def limit_memory() -> None:
        if address_space_mb is not None:
            size = address_space_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    done = subprocess.run([sys.executable, "-m", "app.cli", *args], text=True,
                          capture_output=True, cwd=REPO, env=env, timeout=120,
                          preexec_fn=limit_memory, stdin=subprocess.DEVNULL)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    return done


def package(root: Path, name: str, script: str, config: bytes) -> Path:
    bot = root / f"{name}.gbai"
    (bot / f"{name}.gbdialog").mkdir(parents=True)
    (bot / f"{name}.gbot").mkdir()
    (bot / f"{name}.gbot" / "config.csv").write_bytes(config)
    path = bot / f"{name}.gbdialog" / "start.bas"
    path.write_text(script, encoding="utf-8")
    return path


def test_run_on_a_file_of_random_bytes(tmp_path: Path) -> None:
    noise = tmp_path / "noise.bas"
    noise.write_bytes(random.Random(10).randbytes(4096))
    done = hearth("run", str(noise), home=tmp_path / "home")
    assert done.returncode == 1
    assert f"{noise}:" in done.stderr and "SyntaxError" in done.stderr


def test_run_with_a_config_that_is_not_utf8(tmp_path: Path) -> None:
    script = package(tmp_path, "latin", LOOP, b"name,value\nbot-name,Ol\xe1\xff\n")
    done = hearth("run", str(script), home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["counted 1000"]


def test_run_with_a_loop_limit_of_1e309(tmp_path: Path) -> None:
    script = package(tmp_path, "huge", LOOP, b"name,value\nbasic-max-loop,1e309\n"
                                             b"basic-max-seconds,nan\n")
    done = hearth("run", str(script), home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["counted 1000"]


def test_run_that_runs_out_of_memory(tmp_path: Path) -> None:
    # each string is within the size limits; together they pass the process's address space
    script = tmp_path / "hungry.bas"
    script.write_text('s = "x"\nFOR i = 1 TO 20\n  s = s & s\nNEXT\n'
                      "a = []\nFOR i = 1 TO 100000\n  PUSH a, s & i\nNEXT\n", encoding="utf-8")
    done = hearth("run", str(script), home=tmp_path / "home", address_space_mb=900)
    assert done.returncode == 1
    assert done.stderr.startswith("error: LimitExceeded: line 7: memory limit exceeded")


def test_check_and_run_a_script_nested_3000_deep(tmp_path: Path) -> None:
    deep = tmp_path / "deep.bas"
    deep.write_text(DEEP_IFS, encoding="utf-8")
    checked = hearth("check", str(deep), home=tmp_path / "home")
    assert checked.returncode == 1
    assert (f"{deep}:102:1: SyntaxError: blocks nested more than 100 levels deep"
            in checked.stdout)
    assert "1 file(s) checked: 1 error(s)" in checked.stdout
    ran = hearth("run", str(deep), home=tmp_path / "home")
    assert ran.returncode == 1 and "blocks nested more than 100 levels deep" in ran.stderr
