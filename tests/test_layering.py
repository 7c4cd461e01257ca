"""The engine is headless, and a tool proves it (STYLE §1, ARCHITECTURE §1).

Two checks that complement each other:

- import-linter reads the code and enforces the contracts in ``pyproject.toml``;
- a fresh interpreter imports every module under ``engine/`` and looks at what actually got
  loaded, which also catches imports made by third-party code and at import time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"

# What no engine module may load, and the only package allowed to load each.
FORBIDDEN: dict[str, str | None] = {
    "PySide6": None,
    "shiboken6": None,
    "qasync": None,
    "aiohttp.web": "engine.server",
}

# Runs in a fresh interpreter: imports each module in turn and reports, for each forbidden
# module, the first engine module whose import brought it in.
_PROBE = """
import importlib, json, sys, traceback
modules, forbidden = json.loads(sys.argv[1]), json.loads(sys.argv[2])
report = {"loaded_by": {}, "failed": {}}
for module in modules:
    try:
        importlib.import_module(module)
    except Exception:
        report["failed"][module] = traceback.format_exc(limit=3)
    for name in forbidden:
        if name in sys.modules and name not in report["loaded_by"]:
            report["loaded_by"][name] = module
print(json.dumps(report))
"""


def engine_modules() -> list[str]:
    """Every module under engine/, packages before their contents, engine.server last."""
    names = []
    for path in sorted(ENGINE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__main__":  # importing it would run it
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return sorted(names, key=lambda name: (_is_server(name), name))


def _is_server(module: str) -> bool:
    return module == "engine.server" or module.startswith("engine.server.")


def test_every_engine_module_is_found() -> None:
    modules = engine_modules()
    assert "engine" in modules
    assert "engine.errors" in modules


def test_engine_imports_neither_qt_nor_aiohttp_web() -> None:
    modules = engine_modules()
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(modules), json.dumps(list(FORBIDDEN))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert not report["failed"], "engine modules failed to import:\n" + "\n".join(
        f"{module}:\n{trace}" for module, trace in report["failed"].items()
    )
    offenders = {
        name: culprit
        for name, culprit in report["loaded_by"].items()
        if not _allowed(culprit, FORBIDDEN[name])
    }
    assert not offenders, "forbidden modules loaded by the engine: " + ", ".join(
        f"{name} (first pulled in by importing {culprit})" for name, culprit in offenders.items()
    )


def _allowed(culprit: str, allowed_package: str | None) -> bool:
    if allowed_package is None:
        return False
    return culprit == allowed_package or culprit.startswith(allowed_package + ".")


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    command = str(lint_imports) if lint_imports.exists() else shutil.which("lint-imports")
    assert command, "lint-imports is not installed (it comes with the dev extras)"
    result = subprocess.run(
        [command, "--no-logo", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
