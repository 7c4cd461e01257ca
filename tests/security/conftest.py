"""Fixtures of the security tests: the server tests' fixtures (a keyring under HEARTH_HOME, a
real engine, the app and its client), and the attack tally printed at the end of the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.engine.server.conftest import app, browser, client, engine, home_keyring, options
from tests.security.attackkit import REPORT_ENV, TALLY

__all__ = ["app", "browser", "client", "engine", "home_keyring", "options"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The attacks tried and passed through in this run, per class (for docs/reliability.md)."""
    if not TALLY.tried:
        return
    terminalreporter.write_sep("-", "attacks tried / passed through")
    terminalreporter.write_line(TALLY.table())
    target = os.environ.get(REPORT_ENV)
    if target:
        TALLY.write(Path(target))
