"""Every case of the shared conformance suite, twice: straight through and with a simulated
application restart at each HEAR (conformance README). ``HEARTH_CONFORMANCE_DIR`` names
another folder of cases in the same format."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conformance.harness import check_case

_DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "conformance"
ROOT = Path(os.environ.get("HEARTH_CONFORMANCE_DIR", _DEFAULT))


def _cases() -> list[Path]:
    if not ROOT.is_dir():
        return []
    return sorted(p for p in ROOT.rglob("*.bas")
                  if p.with_suffix(".dialog").exists() and ".pkg" not in p.parts[-2])


def test_suite_is_present() -> None:
    assert _cases(), f"no conformance cases found under {ROOT}"


@pytest.mark.parametrize("restart", [False, True], ids=["straight", "restart"])
@pytest.mark.parametrize("bas", _cases(), ids=lambda p: str(p.relative_to(ROOT).with_suffix("")))
def test_case(bas: Path, restart: bool, tmp_path: Path) -> None:
    program = check_case(bas, ROOT, tmp_path, restart)
    if bas.parent.name == "tools" and not bas.with_suffix(".tool.json").exists():
        assert not program.is_tool, "this script must not compile to a tool"
