"""The compatibility cases of issue 11 (``docs/basic-compatibility.md``): every ``NAME.bas``
in this folder (at any depth) with its ``NAME.dialog`` transcript, in the format of the
shared conformance suite (its README), run by the same harness — straight through and with
a simulated restart at each HEAR. ``NAME.pkg/`` folders add files to the test bot as there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.harness import check_case

ROOT = Path(__file__).resolve().parent


def _cases() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.bas")
                  if p.with_suffix(".dialog").exists() and not p.parent.name.endswith(".pkg")
                  and ".pkg" not in "".join(p.relative_to(ROOT).parts[:-1]))


def test_cases_are_present() -> None:
    assert _cases(), f"no compatibility cases found under {ROOT}"


@pytest.mark.parametrize("restart", [False, True], ids=["straight", "restart"])
@pytest.mark.parametrize("bas", _cases(), ids=lambda p: str(p.relative_to(ROOT).with_suffix("")))
def test_case(bas: Path, restart: bool, tmp_path: Path) -> None:
    check_case(bas, ROOT, tmp_path, restart)
