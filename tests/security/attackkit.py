"""What the attack tests share: the tally of attacks tried and passed through, and the
bots an attacker aims at.

Every attack goes through :class:`Attempts`: ``with attempts.one("label"): ...`` counts one
attempt of the class; an ``AssertionError`` inside (the defence did not hold) is counted as
*passed through* and remembered, the other attempts of the test still run, and
:meth:`Attempts.verdict` fails the test listing every attack that got through. The totals are
printed at the end of the run (``tests/security/conftest.py``) and written as JSON to the file
named by ``HEARTH_ATTACK_REPORT`` when it is set, for ``docs/reliability.md``.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.api import Engine
from tests.engine.server.serverkit import open_engine
from tests.engine.sessions.sessionkit import write_bot

REPORT_ENV = "HEARTH_ATTACK_REPORT"


class Tally:
    """Attacks tried and passed through, per attack class, for the whole test run."""

    def __init__(self) -> None:
        self.tried: Counter[str] = Counter()
        self.passed: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, kind: str, *, passed: bool) -> None:
        with self._lock:
            self.tried[kind] += 1
            if passed:
                self.passed[kind] += 1

    def rows(self) -> list[tuple[str, int, int]]:
        return [(kind, self.tried[kind], self.passed[kind]) for kind in sorted(self.tried)]

    def table(self) -> str:
        lines = ["| attack class | attempts tried | passed through |", "| --- | ---: | ---: |"]
        lines += [f"| {kind} | {tried} | {passed} |" for kind, tried, passed in self.rows()]
        total_tried = sum(self.tried.values())
        total_passed = sum(self.passed.values())
        lines.append(f"| **total** | {total_tried} | {total_passed} |")
        return "\n".join(lines)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(
            [{"class": kind, "tried": tried, "passed_through": passed}
             for kind, tried, passed in self.rows()], indent=2) + "\n", encoding="utf-8")


TALLY = Tally()


class Attempts:
    """The attempts of one test, all of one attack class."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.through: list[str] = []
        self.count = 0

    @contextmanager
    def one(self, label: str) -> Iterator[None]:
        """One attack: the block performs it and asserts that the defence held."""
        self.count += 1
        try:
            yield
        except AssertionError as error:
            TALLY.count(self.kind, passed=True)
            self.through.append(f"{label}: {error}".strip()[:600])
            return
        TALLY.count(self.kind, passed=False)

    def verdict(self, at_least: int = 1) -> None:
        """Fail when an attack passed through, or when fewer attacks ran than planned."""
        assert self.count >= at_least, f"only {self.count} {self.kind} attacks ran"
        assert not self.through, (f"{len(self.through)} of {self.count} {self.kind} attacks "
                                  "passed through:\n" + "\n".join(self.through))


SECRET = "TOP-SECRET-CANARY-7f3e"  # the content of every file an attacker must never read


def plant_secrets(home: Path, bot: str) -> list[Path]:
    """Files with :data:`SECRET` outside the bot's drive: beside it, above it, at the home."""
    root = home / "bots" / f"{bot}.gbai"
    places = [root / "secret.txt", home / "bots" / "secret.txt", home / "secret.txt",
              root / f"{bot}.gbot" / "secret.txt", home / "etc" / "passwd"]
    for place in places:
        place.parent.mkdir(parents=True, exist_ok=True)
        place.write_text(SECRET + "\n", encoding="utf-8")
    return places


def outside_drive(home: Path, drive: Path) -> dict[str, bytes]:
    """Every file under the bots folder that is not in ``drive``, the planted ones and the
    fake ``etc``, with their content: what an attack through the drive must leave exactly as
    it was (names included: a new file outside the drive shows up too)."""
    found: dict[str, bytes] = {}
    for path in sorted([*(home / "bots").rglob("*"), *(home / "etc").rglob("*"),
                        home / "secret.txt"]):
        if path.is_file() and not path.is_symlink() and not path.is_relative_to(drive):
            found[str(path.relative_to(home))] = path.read_bytes()
    return found


async def open_with_bots(home: Path, bots: dict[str, tuple[dict[str, str], str]]) -> Engine:
    """The server tests' engine, with the attack bots ``{name: (scripts, config)}`` too."""
    for name, (scripts, config) in bots.items():
        write_bot(home, name, scripts, config)
    return await open_engine(home)
