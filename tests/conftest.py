"""Fixtures and helpers shared by the whole suite.

- Every test gets its own data folder: ``HEARTH_HOME`` points at a fresh temporary folder
  (the ``hearth_home`` fixture), so no test reads or writes a real user's data.
- :func:`require_service` is how a test that needs a real server (PostgreSQL, Redis, SMTP...)
  says so: a skip on a developer's machine, a failure in CI (``HEARTH_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

HOME_ENV = "HEARTH_HOME"
REQUIRE_SERVICES_ENV = "HEARTH_REQUIRE_SERVICES"


def require_service(name: str, detail: str = "") -> NoReturn:
    """Give up on a test because the service ``name`` is not available.

    Skips the test, unless ``HEARTH_REQUIRE_SERVICES=1`` (CI sets it), where a missing
    service is a failure: CI must never turn green by skipping the tests that matter::

        if shutil.which("redis-server") is None:
            require_service("redis", "redis-server is not installed")
    """
    message = f"service {name!r} is not available" + (f": {detail}" if detail else "")
    if os.environ.get(REQUIRE_SERVICES_ENV) == "1":
        pytest.fail(f"{message} ({REQUIRE_SERVICES_ENV}=1)", pytrace=False)
    pytest.skip(message)


_session_home: tempfile.TemporaryDirectory[str] | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Before any test module is imported, make sure HEARTH_HOME is not a real user's folder."""
    global _session_home
    if not os.environ.get(HOME_ENV):
        _session_home = tempfile.TemporaryDirectory(prefix="hearth-test-home-")
        os.environ[HOME_ENV] = _session_home.name


def pytest_unconfigure(config: pytest.Config) -> None:
    global _session_home
    if _session_home is not None:
        os.environ.pop(HOME_ENV, None)
        _session_home.cleanup()
        _session_home = None


@pytest.fixture(autouse=True)
def hearth_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's data folder (``$HEARTH_HOME``), empty at the start."""
    home = tmp_path / "hearth-home"
    home.mkdir()
    monkeypatch.setenv(HOME_ENV, str(home))
    yield home
